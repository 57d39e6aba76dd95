-- BAG addresses (nummeraanduidingen) of the quarter's extract, letters and additions cleaned.
select
    quarter,
    adres_pseudo,
    adres_sleutel,
    trim(pc4) as pc4,
    huisnummer,
    {{ clean_suffix('huisletter') }} as huisletter,
    {{ clean_suffix('huisnummertoevoeging') }} as huisnummertoevoeging,
    {{ normalised_toevoeging('huisnummertoevoeging') }} as toevoeging_genormaliseerd,
    {{ clean_area_code('buurtcode') }} as buurtcode,
    {{ clean_gemeentecode('gemeentecode') }} as gemeentecode,
    gebruiksdoel,
    coalesce(is_woonfunctie, false) as is_woonfunctie
from {{ source('raw', 'bag_adressen') }}
where quarter = {{ quarter_literal() }}
