"""Running without a person: the scheduler, cron lines, many sheets, the cloud function."""
