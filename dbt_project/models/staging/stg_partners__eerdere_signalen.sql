-- Earlier partner signals: those dated in the herhaald_maanden (6) calendar months before the
-- quarter being built (seeds/persona_parameters.csv), from any landing quarter, the history
-- that tells whether a signalled household of the quarter had a signal before (hh_herhaald).
-- Deduplicated as stg_partners__signalen; quarter is the quarter being built. Which of them
-- can be earlier signals of the quarter's households (at a postcode + house number with a
-- signal in the quarter, and not a signal of the quarter delivered earlier with another date)
-- int_eerdere_signalen_matched_to_adressen decides from the quarter's matched signals, so the
-- quarter's deduplication (stg_partners__signalen) is not run again here.
{% set window_start -%}
cast({{ quarter_start() }} - to_months((
    select cast(value as integer) from {{ ref('persona_parameters') }}
    where parameter = 'herhaald_maanden'
)) as date)
{%- endset %}
{{ partner_signals(window_start, quarter_start() ~ ' - 1') }}
