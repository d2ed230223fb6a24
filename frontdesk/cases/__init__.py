"""Cases: numbers, status, reply-by dates, the activity feed, comments, likes, attachments."""
