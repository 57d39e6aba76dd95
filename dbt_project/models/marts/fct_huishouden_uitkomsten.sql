-- Restricted household-level fact: what the cases after the signals of the quarter before the
-- quarter being built (period) achieved, as known from the extracts up to the quarter being
-- built: one row per signalled household of that quarter (fct_huishouden_signalen, its
-- signals in fct_signalen), with the outcome columns of int_huishouden_kenmerken
-- (macros/case_outcomes.sql). A case is often closed weeks after its signal, so at the end of
-- a quarter the newest signals' outcomes are still open; one quarter later nearly all are
-- known (docs/late-figures-plan.md). The figures of period types kwartaal_afgerond and
-- vier_kwartalen_afgerond and the cohort's hh_hulp_geaccepteerd count these outcomes.
-- Kept per quarter (quarter = the quarter being built): each period's outcomes are built by
-- the run of the quarter after it and by no other, and a rebuild reads the same extracts
-- (stg_gemeente__vroegsignaal_zaken reads no later landing). No rows while the period is
-- not built.
{% set period = period_quarters(1, 1)[0] %}
with households as (
    select huishouden_id, eerste_signaaldatum
    from {{ ref('fct_huishouden_signalen') }}
    where quarter = '{{ period }}'
),

signalen as (
    select partner_code, signaal_id, huishouden_id
    from {{ ref('fct_signalen') }}
    where quarter = '{{ period }}' and huishouden_id is not null
),

zaken as (
{{ case_outcomes() }}
),

per_household as (
    select
        signalen.huishouden_id,
{{ household_case_aggregates() }}
    from signalen
    left join zaken
        on zaken.partner_code = signalen.partner_code
        and zaken.signaal_id = signalen.signaal_id
    group by signalen.huishouden_id
)

select
    {{ quarter_literal() }} as quarter,
    '{{ period }}' as period,
    households.huishouden_id,
    {{ household_case_columns('per_household', 'households.eerste_signaaldatum') }}
from households
inner join per_household
    on per_household.huishouden_id = households.huishouden_id
