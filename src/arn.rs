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
        // The first five colons, by memchr (issue 13: a `char` split's searcher costs more
        // than these ARNs; ARNs are read on every call). `:` is ASCII: each cut is at a
        // character boundary.
        let mut colons = memchr::memchr_iter(b':', text.as_bytes());
        let mut cut = [0usize; 5];
        for c in &mut cut {
            *c = colons.next()?;
        }
        if &text[..cut[0]] != "arn" {
            return None;
        }
        let field = |i: usize| &text[cut[i] + 1..cut[i + 1]];
        let (partition, service, region, account, resource) =
            (field(0), field(1), field(2), field(3), &text[cut[4] + 1..]);
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
        let r = self.resource;
        let (mut start, mut n) = (0, 0);
        for colon in memchr::memchr_iter(b':', r.as_bytes()) {
            if n == i {
                return Some(&r[start..colon]);
            }
            (start, n) = (colon + 1, n + 1);
        }
        // The last part: after the last colon (or the whole resource).
        (n == i).then(|| &r[start..])
    }

    /// The number of colon-separated parts of the resource.
    pub(crate) fn part_count(&self) -> usize {
        memchr::memchr_iter(b':', self.resource.as_bytes()).count() + 1
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

#[cfg(test)]
mod split_tests {
    use super::Arn;

    /// ARNs read by memchr as the `splitn` / `split` chains they replaced read them.
    #[test]
    fn arns_read_as_the_split_chains_did() {
        fn by_split(text: &str) -> Option<(Vec<&str>, Vec<&str>)> {
            let mut p = text.splitn(6, ':');
            if p.next()? != "arn" {
                return None;
            }
            let fields = vec![p.next()?, p.next()?, p.next()?, p.next()?, p.next()?];
            let parts = fields[4].split(':').collect();
            Some((fields, parts))
        }
        for text in [
            "arn:aws:states:us-east-1:123456789012:execution:orders:order-1",
            "arn:aws:states:us-east-1:123456789012:stateMachine:m",
            "arn:aws:states:us-east-1:123456789012:stateMachine:m:1",
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "arn:aws:sqs:us-east-1:1:queue",
            "arn:aws:states:r:a:",
            "arn:aws:states:r:a",
            "arn:a:b:c:d:e::f:",
            "arn::::",
            "arn:::::",
            "nope:aws:states:r:a:x",
            "arn:aws:states:é:ü:x:ß",
            "",
        ] {
            let got = Arn::parse(text).map(|a| {
                let fields = vec![a.partition, a.service, a.region, a.account, a.resource];
                let parts: Vec<&str> = (0..a.part_count())
                    .map(|i| a.part(i).unwrap_or("?"))
                    .collect();
                assert_eq!(a.part(a.part_count()), None, "{text}");
                (fields, parts)
            });
            assert_eq!(got, by_split(text), "{text}");
        }
    }
}
