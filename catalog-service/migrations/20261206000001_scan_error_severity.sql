-- A scan problem is an error (the file is left out) or a warning (the
-- file is listed, but part of it could not be read, e.g. damaged tags).
ALTER TABLE scan_errors ADD COLUMN severity text NOT NULL DEFAULT 'error'
    CHECK (severity IN ('error', 'warning'));
