-- Every buurt of the quarter's area reference with its wijk and gemeente.
{{ config(materialized='view') }}
with areas as (
    select * from {{ ref('stg_cbs__wijken_buurten') }}
)

select
    buurt.quarter,
    buurt.area_code as buurtcode,
    wijk.area_code as wijkcode,
    gemeente.area_code as gemeentecode
from areas as buurt
left join areas as wijk
    on wijk.area_code = buurt.parent_code and wijk.area_level = 'wijk'
left join areas as gemeente
    on gemeente.area_code = wijk.parent_code and gemeente.area_level = 'gemeente'
where buurt.area_level = 'buurt'
