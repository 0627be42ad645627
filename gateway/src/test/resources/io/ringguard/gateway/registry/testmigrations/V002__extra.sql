-- A later migration, as a future RingGuard would ship it.
CREATE TABLE extra (id BIGINT NOT NULL PRIMARY KEY, note TEXT);
