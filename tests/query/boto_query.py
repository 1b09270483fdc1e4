"""Drives sfn-harness's SQS through boto3 1.28.60 / botocore 1.31.60, which speak only the query
protocol for SQS (form-encoded Action=... requests, XML responses). Exits non-zero on a mismatch.
Usage: python boto_query.py ENDPOINT
"""
import sys

import boto3
import botocore

assert botocore.__version__ == "1.31.60", botocore.__version__
endpoint = sys.argv[1]


def client(region):
    return boto3.client("sqs", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id="test", aws_secret_access_key="test")


c = client("us-east-1")
assert c.meta.service_model.protocol == "query"
url = c.create_queue(QueueName="boto-q", Attributes={"VisibilityTimeout": "7"}, tags={"team": "a"})["QueueUrl"]
assert url.endswith("/123456789012/boto-q"), url
# Re-creating with no attributes returns the URL.
assert c.create_queue(QueueName="boto-q")["QueueUrl"] == url

# botocore checks MD5OfMessageBody / MD5OfMessageAttributes of the XML reply itself.
sent = c.send_message(QueueUrl=url, MessageBody="a <b> & \"c\"",
                      MessageAttributes={"k": {"DataType": "String", "StringValue": "v"},
                                         "n": {"DataType": "Number", "StringValue": "3"}})
got = c.receive_message(QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"])["Messages"]
assert len(got) == 1 and got[0]["MessageId"] == sent["MessageId"], got
assert got[0]["Body"] == "a <b> & \"c\"", got[0]["Body"]
assert got[0]["Attributes"]["ApproximateReceiveCount"] == "1"
assert got[0]["MessageAttributes"]["n"] == {"StringValue": "3", "DataType": "Number"}
c.change_message_visibility(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=0)
c.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])

batch = c.send_message_batch(QueueUrl=url, Entries=[
    {"Id": "ok", "MessageBody": "x"},
    {"Id": "late", "MessageBody": "y", "DelaySeconds": 901},
])
assert [e["Id"] for e in batch["Successful"]] == ["ok"], batch
assert batch["Failed"][0]["Code"] == "InvalidParameterValue" and batch["Failed"][0]["SenderFault"] is True

attrs = c.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
assert attrs["VisibilityTimeout"] == "7" and attrs["MaximumMessageSize"] == "1048576", attrs
c.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "2"})
assert c.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"] == {"DelaySeconds": "2"}
assert c.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}
c.tag_queue(QueueUrl=url, Tags={"x": "1"})
c.untag_queue(QueueUrl=url, TagKeys=["team"])
assert c.list_queue_tags(QueueUrl=url)["Tags"] == {"x": "1"}
assert url in c.list_queues(QueueNamePrefix="boto")["QueueUrls"]
c.add_permission(QueueUrl=url, Label="l1", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
c.remove_permission(QueueUrl=url, Label="l1")

# Typed errors come from the XML error document's <Code>.
try:
    c.get_queue_url(QueueName="missing")
    raise SystemExit("expected QueueDoesNotExist")
except c.exceptions.QueueDoesNotExist as e:
    err = e.response["Error"]
    assert err["Code"] == "AWS.SimpleQueueService.NonExistentQueue" and err["Type"] == "Sender", err
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
try:
    c.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    raise SystemExit("expected InvalidParameterValue")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidParameterValue", e.response

# FIFO.
f = c.create_queue(QueueName="boto.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
s = c.send_message(QueueUrl=f, MessageBody="1", MessageGroupId="g", MessageDeduplicationId="d")
assert "SequenceNumber" in s, s

# A second region is a second set of queues.
west = client("us-west-2")
w = west.create_queue(QueueName="boto-q")["QueueUrl"]
assert w != url, (w, url)
arn = west.get_queue_attributes(QueueUrl=w, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
assert arn == "arn:aws:sqs:us-west-2:123456789012:boto-q", arn
assert west.list_queues()["QueueUrls"] == [w], west.list_queues()

c.purge_queue(QueueUrl=url)
c.delete_queue(QueueUrl=url)
print("boto query ok")
