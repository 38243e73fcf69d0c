-- search_fold runs five times for every song written (its generated sort
-- and search columns) and once more per album and artist. PostgreSQL
-- cannot inline it (unaccent is only STABLE), and a SQL-language function
-- that is not inlined has its body parsed and planned again on every call;
-- PL/pgSQL keeps the plan. Same result, same attributes: the indexes and
-- generated columns built on it stay valid.
CREATE OR REPLACE FUNCTION search_fold(value text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ BEGIN RETURN lower(public.unaccent('public.unaccent'::regdictionary, value)); END $$;
