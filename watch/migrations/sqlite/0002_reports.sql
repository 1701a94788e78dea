-- The daily reports the watcher wrote (`--report-dir`): one row per UTC day, so a restart
-- neither skips a day nor writes one twice.
CREATE TABLE watch_reports (
    day TEXT PRIMARY KEY,
    day_start BIGINT NOT NULL,
    written_at BIGINT NOT NULL,
    transfers BIGINT NOT NULL,
    alerts BIGINT NOT NULL
);
