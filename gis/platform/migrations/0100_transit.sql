-- GTFS / GTFS-JP feeds, side by side: every table is keyed by feed_id, and a feed is replaced
-- as a whole in one transaction (etl/gtfs.py). Times are seconds past midnight of the service
-- day (past 24 h allowed, e.g. 25:10:00 = 90600). Dates are dates.
CREATE SCHEMA IF NOT EXISTS transit;

CREATE TABLE IF NOT EXISTS transit.feeds (
    feed_id     text PRIMARY KEY,
    file_name   text NOT NULL,
    sha256      text NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    start_date  date,
    end_date    date,
    publisher   text,
    files       text[] NOT NULL DEFAULT '{}',
    warnings    jsonb NOT NULL DEFAULT '[]'::jsonb
);

CREATE TABLE IF NOT EXISTS transit.agency (
    feed_id text NOT NULL REFERENCES transit.feeds ON DELETE CASCADE,
    agency_id text NOT NULL DEFAULT '', agency_name text, agency_url text,
    agency_timezone text, agency_lang text, agency_phone text, agency_fare_url text,
    agency_email text,
    PRIMARY KEY (feed_id, agency_id)
);

CREATE TABLE IF NOT EXISTS transit.stops (
    feed_id text NOT NULL REFERENCES transit.feeds ON DELETE CASCADE,
    stop_id text NOT NULL, stop_code text, stop_name text, stop_desc text,
    stop_lat double precision, stop_lon double precision, zone_id text, stop_url text,
    location_type integer, parent_station text, stop_timezone text,
    wheelchair_boarding integer, platform_code text,
    PRIMARY KEY (feed_id, stop_id)
);

CREATE TABLE IF NOT EXISTS transit.routes (
    feed_id text NOT NULL REFERENCES transit.feeds ON DELETE CASCADE,
    route_id text NOT NULL, agency_id text, route_short_name text, route_long_name text,
    route_desc text, route_type integer, route_url text, route_color text,
    route_text_color text, jp_parent_route_id text,
    PRIMARY KEY (feed_id, route_id)
);

CREATE TABLE IF NOT EXISTS transit.trips (
    feed_id text NOT NULL REFERENCES transit.feeds ON DELETE CASCADE,
    trip_id text NOT NULL, route_id text NOT NULL, service_id text NOT NULL,
    trip_headsign text, trip_short_name text, direction_id integer, block_id text,
    shape_id text, wheelchair_accessible integer, bikes_allowed integer,
    jp_trip_desc text, jp_trip_desc_symbol text, jp_office_id text,
    PRIMARY KEY (feed_id, trip_id)
);
CREATE INDEX IF NOT EXISTS trips_service ON transit.trips (feed_id, service_id);
CREATE INDEX IF NOT EXISTS trips_route ON transit.trips (feed_id, route_id);

CREATE TABLE IF NOT EXISTS transit.stop_times (
    feed_id text NOT NULL REFERENCES transit.feeds ON DELETE CASCADE,
    trip_id text NOT NULL, arrival_time integer, departure_time integer,
    stop_id text NOT NULL, stop_sequence integer NOT NULL, stop_headsign text,
    pickup_type integer, drop_off_type integer, shape_dist_traveled double precision,
    timepoint integer,
    PRIMARY KEY (feed_id, trip_id, stop_sequence)
);
CREATE INDEX IF NOT EXISTS stop_times_stop ON transit.stop_times (feed_id, stop_id, departure_time);

CREATE TABLE IF NOT EXISTS transit.calendar (
    feed_id text NOT NULL REFERENCES transit.feeds ON DELETE CASCADE,
    service_id text NOT NULL,
    monday boolean NOT NULL, tuesday boolean NOT NULL, wednesday boolean NOT NULL,
    thursday boolean NOT NULL, friday boolean NOT NULL, saturday boolean NOT NULL,
    sunday boolean NOT NULL, start_date date NOT NULL, end_date date NOT NULL,
    PRIMARY KEY (feed_id, service_id)
);
CREATE INDEX IF NOT EXISTS calendar_dates_range ON transit.calendar (feed_id, start_date, end_date);

CREATE TABLE IF NOT EXISTS transit.calendar_dates (
    feed_id text NOT NULL REFERENCES transit.feeds ON DELETE CASCADE,
    service_id text NOT NULL, date date NOT NULL, exception_type integer NOT NULL,
    PRIMARY KEY (feed_id, service_id, date)
);
CREATE INDEX IF NOT EXISTS calendar_dates_date ON transit.calendar_dates (feed_id, date);

CREATE TABLE IF NOT EXISTS transit.shapes (
    feed_id text NOT NULL REFERENCES transit.feeds ON DELETE CASCADE,
    shape_id text NOT NULL, shape_pt_sequence integer NOT NULL,
    shape_pt_lat double precision NOT NULL, shape_pt_lon double precision NOT NULL,
    shape_dist_traveled double precision,
    PRIMARY KEY (feed_id, shape_id, shape_pt_sequence)
);

CREATE TABLE IF NOT EXISTS transit.frequencies (
    feed_id text NOT NULL REFERENCES transit.feeds ON DELETE CASCADE,
    trip_id text NOT NULL, start_time integer NOT NULL, end_time integer NOT NULL,
    headway_secs integer NOT NULL, exact_times integer
);
CREATE INDEX IF NOT EXISTS frequencies_trip ON transit.frequencies (feed_id, trip_id);

CREATE TABLE IF NOT EXISTS transit.translations (
    feed_id text NOT NULL REFERENCES transit.feeds ON DELETE CASCADE,
    table_name text, field_name text, language text NOT NULL, translation text NOT NULL,
    record_id text, record_sub_id text, field_value text,
    trans_id text  -- GTFS-JP (2019) form: trans_id, lang, translation
);
CREATE INDEX IF NOT EXISTS translations_lookup ON transit.translations (feed_id, field_value);

-- Other GTFS and GTFS-JP files (feed_info, fare_attributes, fare_rules, transfers, agency_jp,
-- office_jp, pattern_jp, …): one row per record, columns as JSON.
CREATE TABLE IF NOT EXISTS transit.extra_records (
    feed_id text NOT NULL REFERENCES transit.feeds ON DELETE CASCADE,
    file_name text NOT NULL, row_number integer NOT NULL, record jsonb NOT NULL,
    PRIMARY KEY (feed_id, file_name, row_number)
);
