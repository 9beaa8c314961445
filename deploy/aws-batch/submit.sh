#!/bin/sh
# One night's inventory on AWS Batch: the shards as an array job of 4 children (the 4 of
# `--shard .../4` in job-definition.json), then the merge once every child has finished.
# A failed child fails the array job, and Batch then fails the merge too; the next night's
# merge catches up. Run it nightly from an EventBridge Scheduler schedule or a Step Functions
# state machine. See docs/deploy.md.
set -eu

queue="${JOB_QUEUE:-aws-org-inventory}"

shards=$(aws batch submit-job --job-name aws-org-inventory-shards --job-queue "$queue" \
  --job-definition aws-org-inventory-shard --array-properties size=4 \
  --query jobId --output text)

aws batch submit-job --job-name aws-org-inventory-merge --job-queue "$queue" \
  --job-definition aws-org-inventory-merge --depends-on "jobId=$shards"
