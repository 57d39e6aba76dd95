-- Earlier partner signals: those dated in the herhaald_maanden (6) calendar months before the
-- quarter being built (seeds/persona_parameters.csv), from any landing quarter, the history
-- that tells whether a signalled household of the quarter had a signal before (hh_herhaald).
-- Only signals at a postcode + house number (adres_sleutel) with a signal in the quarter: no
-- other can be matched to the address of a household signalled in the quarter. A signal of the
-- quarter delivered earlier with another date (same partner_code + signaal_id) is not an
-- earlier signal. Deduplicated as stg_partners__signalen; quarter is the quarter being built.
{% set window_start -%}
cast({{ quarter_start() }} - to_months((
    select cast(value as integer) from {{ ref('persona_parameters') }}
    where parameter = 'herhaald_maanden'
)) as date)
{%- endset %}
with eerdere as (
{{ partner_signals(window_start, quarter_start() ~ ' - 1') }}
)

select *
from eerdere
where adres_sleutel in (select adres_sleutel from {{ ref('stg_partners__signalen') }})
  and not exists (
      select 1
      from {{ ref('stg_partners__signalen') }} as kwartaal
      where kwartaal.partner_code = eerdere.partner_code
        and kwartaal.signaal_id = eerdere.signaal_id
  )
