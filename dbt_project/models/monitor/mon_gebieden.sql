-- The quarter's areas, kept per quarter: the CBS reference (gemeente, wijk, buurt,
-- stg_cbs__wijken_buurten) plus one regio row per region with a gemeente in the reference.
-- The regions are those of seeds/regio_indeling.csv of the kind regiosoort
-- (seeds/pipeline_parameters.csv: the samenwerkingsverband). A gemeente's parent_code is its
-- regio; NULL for a gemeente the seed does not place in a region of that kind (it is in no
-- regio; a dbt warning names it). A regio counts the gemeenten the reference holds: when it
-- lacks some of the region's gemeenten, the regio's name says how many it covers
-- ('Drechtsteden (3 van 6 gemeenten)'), so a partial region is never read as the whole one.
-- The area reference of the monitor models and of the gate (contract.AREA_REFERENCE_TABLE).
with reference as (
    select * from {{ ref('stg_cbs__wijken_buurten') }}
),

regio_indeling as (
    select gemeentecode, regiocode, regio
    from {{ ref('regio_indeling') }}
    where regiosoort = (
        select value from {{ ref('pipeline_parameters') }} where parameter = 'regiosoort'
    )
),

regions as (
    select
        regio_indeling.regiocode,
        any_value(regio_indeling.regio) as regio,
        count(*) as gemeenten,
        count(reference.area_code) as in_reference
    from regio_indeling
    left join reference
        on reference.area_level = 'gemeente'
        and reference.area_code = regio_indeling.gemeentecode
    group by regio_indeling.regiocode
    having count(reference.area_code) > 0
)

select
    reference.quarter,
    reference.area_code,
    reference.area_level,
    reference.area_name,
    case
        when reference.area_level = 'gemeente' then regio_indeling.regiocode
        else reference.parent_code
    end as parent_code
from reference
left join regio_indeling
    on reference.area_level = 'gemeente'
    and regio_indeling.gemeentecode = reference.area_code
union all
select
    {{ quarter_literal() }} as quarter,
    regiocode as area_code,
    'regio' as area_level,
    case
        when in_reference < gemeenten
            then regio || ' (' || in_reference || ' van ' || gemeenten || ' gemeenten)'
        else regio
    end as area_name,
    null as parent_code
from regions
