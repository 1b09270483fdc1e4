//! Amazon Resource Names: one parser and one formatter for every ARN the crate reads or mints.
//!
//! An ARN is `arn:<partition>:<service>:<region>:<account>:<resource>`, where the resource of
//! the services here is a colon-separated list (`stateMachine:<name>`,
//! `execution:<machine>:<name>`, `activity:<name>`, a queue name, `function:<name>[:<qualifier>]`).

/// A parsed ARN, borrowing the text it was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: &'a str,
    /// `states`, `sqs`, `lambda`, `iam`, …
    pub service: &'a str,
    /// The region (empty for global resources and `arn:aws:states:::…` integrations).
    pub region: &'a str,
    /// The account id (empty for `arn:aws:states:::…` integrations).
    pub account: &'a str,
    /// Everything after the account: `stateMachine:orders`, `jobs`, `function:f:1`.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses `text`; `None` unless it has the six parts of an ARN.
    pub(crate) fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut p = text.splitn(6, ':');
        if p.next()? != "arn" {
            return None;
        }
        let (partition, service, region, account, resource) =
            (p.next()?, p.next()?, p.next()?, p.next()?, p.next()?);
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// The resource's type: its first part (`stateMachine`, `execution`, `activity`,
    /// `function`), or the whole resource when it has one part (an SQS queue name).
    pub(crate) fn resource_type(&self) -> &'a str {
        self.part(0).unwrap_or("")
    }

    /// The `i`-th colon-separated part of the resource.
    pub(crate) fn part(&self, i: usize) -> Option<&'a str> {
        self.resource.split(':').nth(i)
    }

    /// The number of colon-separated parts of the resource.
    pub(crate) fn part_count(&self) -> usize {
        self.resource.split(':').count()
    }

    /// The resource's last part (a machine's, execution's or queue's name).
    pub(crate) fn last(&self) -> &'a str {
        self.resource.rsplit(':').next().unwrap_or("")
    }

    /// For an execution ARN (`…:execution:<machine>:<name>`), the ARN of its state machine.
    pub(crate) fn machine_of_execution(&self) -> Option<String> {
        (self.service == "states" && self.resource_type() == "execution")
            .then(|| self.part(1))
            .flatten()
            .map(|m| {
                format(
                    self.partition,
                    "states",
                    self.region,
                    self.account,
                    &format!("stateMachine:{m}"),
                )
            })
    }
}

/// Formats `arn:<partition>:<service>:<region>:<account>:<resource>`.
pub(crate) fn format(
    partition: &str,
    service: &str,
    region: &str,
    account: &str,
    resource: &str,
) -> String {
    format!("arn:{partition}:{service}:{region}:{account}:{resource}")
}

/// The name a state machine is known by in a reference that is either its ARN or its name.
pub(crate) fn name_of(arn_or_name: &str) -> &str {
    match Arn::parse(arn_or_name) {
        Some(a) => a.last(),
        None => arn_or_name,
    }
}

#[cfg(test)]
mod doc_example_7 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::arn::Arn;

        let arn =
            Arn::parse("arn:aws:states:us-east-1:123456789012:execution:orders:order-1").unwrap();
        assert_eq!(
            (arn.service, arn.region, arn.account),
            ("states", "us-east-1", "123456789012")
        );
        assert_eq!(arn.resource_type(), "execution");
        assert_eq!(arn.part(1), Some("orders"));
        assert_eq!(arn.last(), "order-1");
        assert_eq!(
            arn.machine_of_execution().as_deref(),
            Some("arn:aws:states:us-east-1:123456789012:stateMachine:orders")
        );
        assert!(Arn::parse("not-an-arn").is_none());
    }
}

#[cfg(test)]
mod doc_example_106 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        assert_eq!(
            crate::arn::name_of("arn:aws:states:us-east-1:1:stateMachine:orders"),
            "orders"
        );
        assert_eq!(crate::arn::name_of("orders"), "orders");
    }
}
