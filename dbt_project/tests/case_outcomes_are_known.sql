-- Every case outcome stored in raw.vroegsignaal_zaken is a code of seeds/resultaat_codes.csv
-- (read as stg_gemeente__vroegsignaal_zaken reads it). Ingestion quarantines an unknown code, so
-- this warns only about one the seed lost after its delivery was loaded (such a case would count
-- as picked up, never as help accepted). It reads every version of every case in the raw table:
-- the staging view's latest-version window would cost more than the check itself.
-- depends_on: {{ ref('stg_gemeente__vroegsignaal_zaken') }}
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_gemeente__vroegsignaal_zaken'}}}) }}
with outcomes as (
    select distinct nullif(lower(trim(resultaat)), '') as resultaat
    from {{ source('raw', 'vroegsignaal_zaken') }}
)

select resultaat
from outcomes
where resultaat is not null
  and resultaat not in (select resultaat from {{ ref('resultaat_codes') }} where resultaat is not null)
