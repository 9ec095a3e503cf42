-- A version per portfolio's ledger, raised in the same transaction as every change to its transactions.
-- A dashboard miss reads the versions with the rest of its snapshot and, when they are those of the ledger
-- this replica replayed last time for that user and scope, does not read or replay the ledger again
-- (DashboardSnapshotRepository). Triggers, not the application, raise it: no writer can forget to.
ALTER TABLE app.portfolios ADD COLUMN ledger_version bigint NOT NULL DEFAULT 0;

-- Once per statement (a CSV import of 1,000 rows raises its portfolio's version once, not 1,000 times).
-- SECURITY DEFINER: whoever may write transactions raises the version without rights on portfolios.
CREATE FUNCTION app.raise_ledger_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = app, pg_temp AS
$$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE app.portfolios SET ledger_version = ledger_version + 1 WHERE id IN (SELECT portfolio_id FROM new_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE app.portfolios SET ledger_version = ledger_version + 1
         WHERE id IN (SELECT portfolio_id FROM new_rows UNION SELECT portfolio_id FROM old_rows);
    ELSE
        UPDATE app.portfolios SET ledger_version = ledger_version + 1 WHERE id IN (SELECT portfolio_id FROM old_rows);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER transactions_inserted AFTER INSERT ON app.transactions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.raise_ledger_version();
CREATE TRIGGER transactions_updated AFTER UPDATE ON app.transactions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.raise_ledger_version();
CREATE TRIGGER transactions_deleted AFTER DELETE ON app.transactions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION app.raise_ledger_version();
