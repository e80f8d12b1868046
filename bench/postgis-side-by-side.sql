-- Loads the files of bench/postgis-export (run from their folder) into
-- PostGIS for bench/postgis-side-by-side.sh: the engine's commune shapes
-- (one row per polygon, as its commune index holds them), the default
-- layer's sites as geography, the grid's cell centres and population
-- shares, and the test points; GiST indexes on all of them.
\set ON_ERROR_STOP on
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE communes_in (code text PRIMARY KEY, population int NOT NULL, shape text);
\copy communes_in FROM 'communes.tsv' WITH (FORMAT text, NULL '')
CREATE TABLE communes AS
  SELECT code, population, ST_SetSRID(ST_GeomFromWKB(decode(shape, 'hex')), 4326) AS geom FROM communes_in;
DROP TABLE communes_in;
-- The population of every commune, with or without boundary (a figure of
-- every coverage answer, whatever the threshold).
CREATE TABLE totals AS SELECT sum(population) AS population FROM communes;
CREATE TABLE commune_parts AS SELECT code, (ST_Dump(geom)).geom AS geom FROM communes WHERE geom IS NOT NULL;
CREATE INDEX ON commune_parts USING gist (geom);

CREATE TABLE sites_in (id text PRIMARY KEY, ord int NOT NULL, lon float8, lat float8);
\copy sites_in FROM 'sites.tsv'
-- ord is the site's position in its layer: maillage breaks ties of
-- distance (sites at the same place) by it.
CREATE TABLE sites AS SELECT id, ord, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography AS geog FROM sites_in;
DROP TABLE sites_in;
CREATE INDEX ON sites USING gist (geog);

CREATE TABLE cells_in (cell int PRIMARY KEY, lon float8, lat float8);
\copy cells_in FROM 'cells.tsv'
CREATE TABLE cells AS SELECT cell, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography AS geog FROM cells_in;
DROP TABLE cells_in;
CREATE TABLE shares (code text NOT NULL, cell int NOT NULL, pop float8 NOT NULL);
\copy shares FROM 'shares.tsv'

CREATE TABLE points_in (lon float8, lat float8, id text);
\copy points_in FROM 'points.csv' WITH (FORMAT csv)
-- k is the point's line in points.csv (ids are p0, p1, ...), its place in
-- the answers.
CREATE TABLE points AS
  SELECT substr(id, 2)::int AS k, id, lon, lat, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM points_in;
DROP TABLE points_in;
CREATE INDEX ON points USING gist (geom);
CREATE UNIQUE INDEX ON points (k);
VACUUM ANALYZE;
