-- The first statement works, the second cannot: the migration must leave no trace.
CREATE TABLE half_done (id BIGINT NOT NULL PRIMARY KEY);
INSERT INTO no_such_table (id) VALUES (1);
