-- The earlier signals (stg_partners__eerdere_signalen: the months before the quarter, at a
-- postcode + house number with a signal in the quarter) matched to the addresses of the
-- quarter's BAG extract by the rules of int_signalen_matched_to_adressen, and to the household
-- there in the quarter: a household is its address (huishouden_id = adres_pseudo), so an
-- earlier signal matched to it was at the same address, whoever lived there then.
{{ matched_to_adressen(ref('stg_partners__eerdere_signalen')) }}
