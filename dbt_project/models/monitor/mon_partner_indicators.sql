-- Restricted: what came of each partner's signals, per quarter x partner x gemeente, in the
-- long shape of mon_area_indicators (area_level 'gemeente') plus partner_code. Unsuppressed:
-- the input of the partner files' disclosure control (orchestration/partners), never
-- published as such.
--
-- The monitor's own indicators, over one partner's signals:
--   signalen                 the partner's signals counted in the gemeente (the rule of
--                            int_signalen_in_gemeente), linked or not;
--   signalen_<groep>         of them, linked to a household (the partner's publication group:
--                            the only group with signals here);
--   signalen_<reden>         of them, at no household, per reason;
--   hh_met_signaal           households with at least one signal of the partner;
--   hh_opgepakt, hh_bereikt, hh_hulp_geaccepteerd
--                            of those households, picked up / reached / accepted help (the
--                            household's outcome, whichever partner's case led to it: the
--                            gemeente helps a household, not a signal);
--   mediaan_dagen_tot_contact, and every rate of seeds/indicators.csv over these counts.
-- Each period type keeps the indicators it carries (seeds/indicators.csv periodesoorten,
-- macros/indicators.sql indicator_period_types), as in mon_area_indicators:
--   kwartaal                 period = the quarter being built, from its signals: the signal
--                            figures and hh_met_signaal, not the outcomes (a case is often
--                            closed weeks after its signal);
--   kwartaal_afgerond        period = the quarter before, the partner's signalled households
--                            of that quarter (fct_signalen, fct_huishouden_signalen) with their
--                            outcomes as known now (fct_huishouden_uitkomsten): hh_met_signaal
--                            (the figure of that quarter's kwartaal rows), the outcomes and
--                            their rates. No rows while the quarter before is not built.
{% set before = period_quarters(1, 1)[0] %}
{% set reasons = unlinked_reasons() %}
with signalen as (
    select *
    from {{ ref('int_signalen_in_gemeente') }}
    where quarter = {{ quarter_literal() }} and gemeentecode is not null
),

signal_counts as (
    select
        partner_code,
        gemeentecode,
        any_value(publicatiegroep) as publicatiegroep,
        count(*) as signalen,
        count(*) filter (where huishouden_id is not null) as signalen_gekoppeld,
        {{ unlinked_signal_counts() }}
    from signalen
    group by all
),

households as (
    select distinct signalen.partner_code, huishoudens.*
    from signalen
    inner join {{ ref('fct_huishouden_signalen') }} as huishoudens
        on huishoudens.quarter = signalen.quarter
        and huishoudens.huishouden_id = signalen.huishouden_id
),

-- the partner's signalled households of the quarter before, their outcomes as known now
households_afgerond as (
    select distinct signalen.partner_code, {{ with_later_outcomes('huishoudens', 'outcomes') }}
    from {{ ref('fct_signalen') }} as signalen
    inner join {{ ref('fct_huishouden_signalen') }} as huishoudens
        on huishoudens.quarter = signalen.quarter
        and huishoudens.huishouden_id = signalen.huishouden_id
    inner join {{ ref('fct_huishouden_uitkomsten') }} as outcomes
        on outcomes.quarter = {{ quarter_literal() }}
        and outcomes.period = huishoudens.quarter
        and outcomes.huishouden_id = huishoudens.huishouden_id
    where signalen.quarter = '{{ before }}'
),

-- the monitor's household counts over the partner's households (its hh_ columns are used;
-- the signal columns there count every partner's signals of those households)
{% set household_columns -%}
        partner_code,
        gemeentecode,
{{ signalled_household_counts() }},
        {{ median_days_to_contact() }} as mediaan_dagen_tot_contact
{%- endset %}
household_counts as (
    select {{ household_columns }}
    from households
    group by all
),

household_counts_afgerond as (
    select {{ household_columns }}
    from households_afgerond
    group by all
),

{% set wide_columns = ['signalen', 'signalen_gekoppeld'] %}
{% for reason in reasons.values() %}{% do wide_columns.append('signalen_' ~ reason) %}{% endfor %}
{% do wide_columns.extend(['hh_met_signaal', 'hh_opgepakt', 'hh_bereikt', 'hh_hulp_geaccepteerd', 'mediaan_dagen_tot_contact']) %}
wide as (
    select
        {{ quarter_literal() }} as quarter,
        signal_counts.partner_code,
        signal_counts.publicatiegroep,
        'kwartaal' as period_type,
        {{ quarter_literal() }} as period,
        'gemeente' as area_level,
        signal_counts.gemeentecode as area_code,
        {%- for name in wide_columns %}
        cast(
            {%- if name.startswith('hh_') %} coalesce(household_counts.{{ name }}, 0)
            {%- elif name.startswith('mediaan_') %} household_counts.{{ name }}
            {%- else %} signal_counts.{{ name }}{% endif %} as double) as {{ name }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from signal_counts
    left join household_counts
        on household_counts.partner_code = signal_counts.partner_code
        and household_counts.gemeentecode = signal_counts.gemeentecode
    union all
    -- the signal figures are NULL here: kwartaal_afgerond does not carry them, so the join
    -- with carried below drops them (and the linked signals' indicator, without a group)
    select
        {{ quarter_literal() }},
        partner_code,
        null,
        'kwartaal_afgerond',
        '{{ before }}',
        'gemeente',
        gemeentecode,
        {%- for name in wide_columns %}
        cast({{ name if name.startswith(('hh_', 'mediaan_')) else 'null' }} as double)
        {{- ',' if not loop.last }}
        {%- endfor %}
    from household_counts_afgerond
),

long_values as (
    select
        quarter,
        partner_code,
        period_type,
        period,
        area_level,
        area_code,
        -- the linked signals are the partner's publication group's (signalen_<groep>)
        case when indicator = 'signalen_gekoppeld' then 'signalen_' || publicatiegroep
            else indicator end as indicator,
        value
    from wide
    unpivot include nulls (value for indicator in ({{ wide_columns | join(', ') }}))
),

rates as (
{{ indicator_rates('long_values', ['quarter', 'partner_code', 'period_type', 'period', 'area_level', 'area_code'], ['partner_code', 'period_type', 'area_code']) }}
),

carried as (
{{ indicator_period_types() }}
),

areas as (
    select area_code, area_name, parent_code
    from {{ ref('stg_cbs__wijken_buurten') }}
    where area_level = 'gemeente'
)

select
    figures.quarter,
    figures.partner_code,
    figures.period_type,
    figures.period,
    figures.area_level,
    figures.area_code,
    coalesce(areas.area_name, figures.area_code) as area_name,
    areas.parent_code,
    figures.indicator,
    figures.value
from (
    select * from long_values
    union all by name
    select * from rates
) as figures
inner join carried
    on carried.indicator = figures.indicator
    and carried.period_type = figures.period_type
left join areas
    on areas.area_code = figures.area_code
