-- The peer registry (ARCHITECTURE.md "State that must survive"). One statement per ';' at a line end.
-- %BYTES% is the dialect's binary type (BLOB in SQLite, BYTEA in PostgreSQL); everything else is
-- common SQL. Keys are standard base64 text, addresses and prefixes their canonical text.
CREATE TABLE peers (
    public_key      TEXT NOT NULL PRIMARY KEY,
    preshared_key   %BYTES%,
    allowed_ips     TEXT NOT NULL,
    addresses       TEXT NOT NULL,
    endpoint        TEXT,
    allowance_bytes BIGINT CHECK (allowance_bytes >= 0),
    rx_bytes        BIGINT NOT NULL DEFAULT 0 CHECK (rx_bytes >= 0),
    tx_bytes        BIGINT NOT NULL DEFAULT 0 CHECK (tx_bytes >= 0),
    created_at_ms   BIGINT NOT NULL,
    updated_at_ms   BIGINT NOT NULL
);

-- One row per handed-out pool address; the primary key is what makes an address go to one peer
-- only, also across gateways sharing a PostgreSQL registry.
CREATE TABLE address_allocations (
    address         TEXT NOT NULL PRIMARY KEY,
    public_key      TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('reserved', 'assigned', 'releasing')),
    allocated_at_ms BIGINT NOT NULL
);

CREATE INDEX address_allocations_by_owner ON address_allocations (public_key);

-- The last accounting sync each writer (one gateway process) committed, written in the same
-- transaction as its deltas: after a commit whose outcome was lost, the writer reads it back to know
-- whether the delta was applied.
CREATE TABLE accounting_writers (
    writer_id       TEXT NOT NULL PRIMARY KEY,
    last_seq        BIGINT NOT NULL,
    updated_at_ms   BIGINT NOT NULL
);
