-- The hh_met_signaal of the period types with the outcomes known a quarter later is, area by
-- area, the one published with the period itself (and so are kwartaal_afgerond's hh_persona_*,
-- the denominators of pct_bereikt_persona_*): mon_area_counts_kwartaal_afgerond's as
-- mon_area_counts has it for that quarter, mon_area_counts_vier_kwartalen_afgerond's as
-- mon_area_counts_vier_kwartalen has it for the same four quarters. Disclosure control
-- requires a repeated cell to be the same figure.
{{ config(meta={'dagster': {'ref': {'name': 'mon_area_counts_vier_kwartalen_afgerond'}}}) }}
select 'kwartaal_afgerond' as period_type, later.period, later.area_code
from {{ ref('mon_area_counts_kwartaal_afgerond') }} as later
left join {{ ref('mon_area_counts') }} as counts
    on counts.quarter = later.period
    and counts.area_code = later.area_code
where later.quarter = {{ quarter_literal() }}
  and (counts.hh_met_signaal is distinct from later.hh_met_signaal
  {%- for persona in personas() %}
    or counts.hh_persona_{{ persona }} is distinct from later.hh_persona_{{ persona }}
  {%- endfor %})
union all
select 'vier_kwartalen_afgerond', later.period, later.area_code
from {{ ref('mon_area_counts_vier_kwartalen_afgerond') }} as later
left join {{ ref('mon_area_counts_vier_kwartalen') }} as counts
    on counts.period = later.period
    and counts.area_code = later.area_code
where later.quarter = {{ quarter_literal() }}
  and counts.hh_met_signaal is distinct from later.hh_met_signaal
