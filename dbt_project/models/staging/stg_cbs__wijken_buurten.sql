-- Area reference (gemeente, wijk, buurt) of the quarter's extract, codes trimmed.
select
    quarter,
    {{ clean_area_code('area_code') }} as area_code,
    lower(trim(area_level)) as area_level,
    trim(area_name) as area_name,
    {{ clean_area_code('parent_code') }} as parent_code
from {{ source('raw', 'wijken_buurten') }}
where quarter = {{ quarter_literal() }}
