-- The earlier signals (stg_partners__eerdere_signalen: the months before the quarter) that can
-- be earlier signals of the quarter's households, matched to the addresses of the quarter's BAG
-- extract by the rules of int_signalen_matched_to_adressen, and to the household there in the
-- quarter: a household is its address (huishouden_id = adres_pseudo), so an earlier signal
-- matched to it was at the same address, whoever lived there then.
-- Only signals at a postcode + house number (adres_sleutel) with a signal in the quarter: no
-- other can be matched to the address of a household signalled in the quarter. A signal of the
-- quarter delivered earlier with another date (same partner_code + signaal_id) is not an
-- earlier signal. Both read from int_signalen_matched_to_adressen, which holds the quarter's
-- signals already deduplicated.
{% set kwartaal = ref('int_signalen_matched_to_adressen') %}
{% set eerdere %}
(
    select *
    from {{ ref('stg_partners__eerdere_signalen') }} as eerdere
    where adres_sleutel in (select adres_sleutel from {{ kwartaal }})
      and not exists (
          select 1
          from {{ kwartaal }} as kwartaal
          where kwartaal.partner_code = eerdere.partner_code
            and kwartaal.signaal_id = eerdere.signaal_id
      )
)
{% endset %}
{{ matched_to_adressen(eerdere) }}
