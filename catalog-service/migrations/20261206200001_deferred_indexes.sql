-- A first scan loads songs into empty tables before it builds their sort
-- and search indexes (once, over every row, instead of row by row). The
-- definitions of the indexes it dropped wait here until they are built
-- again, so a scan that stops half-way (a crash, a restart) leaves
-- nothing lost: the next scan, or the next start of the service, builds
-- what is listed here.
CREATE TABLE deferred_indexes (
    name       text PRIMARY KEY,
    definition text NOT NULL
);
