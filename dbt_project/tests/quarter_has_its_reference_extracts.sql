-- A quarter cannot be computed without its own area reference, BAG and BRP extracts: fail the
-- build (and so block publication) rather than publish a quarter of zeros.
{{ config(meta={'dagster': {'ref': {'name': 'stg_brp__personen'}}}) }}
select 'raw.wijken_buurten' as missing_extract
where not exists (select 1 from {{ ref('stg_cbs__wijken_buurten') }})
union all
select 'raw.bag_adressen'
where not exists (select 1 from {{ ref('stg_bag__adressen') }})
union all
select 'raw.brp_personen'
where not exists (select 1 from {{ ref('stg_brp__personen') }})
