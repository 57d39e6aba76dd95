{#- Cleaning of house letters and additions, applied identically to signals and BAG.

    clean_suffix: upper case, surrounding spaces and leading separators ('-', '/', '.', '_')
    removed, empty -> NULL. '12-a' and '12 A' give letter/addition 'A'. This is the value the
    exact match compares.

    normalised_toevoeging: a looser form used only by the 'unique_toevoeging' fallback:
    every non-alphanumeric character removed, Roman floor numbers I..X written as 1..10,
    'HS'/'HUIS' (ground floor, "huis") as 'H', leading zeros dropped ('02' -> '2'). -#}

{% macro clean_suffix(column) -%}
  nullif(regexp_replace(upper(trim(cast({{ column }} as varchar))), '^[-/._\s]+', ''), '')
{%- endmacro %}

{% macro normalised_toevoeging(column) -%}
  {%- set x = "regexp_replace(upper(cast(" ~ column ~ " as varchar)), '[^A-Z0-9]', '', 'g')" -%}
  {%- set roman = {'I': '1', 'II': '2', 'III': '3', 'IV': '4', 'V': '5', 'VI': '6', 'VII': '7',
                   'VIII': '8', 'IX': '9', 'X': '10', 'HS': 'H', 'HUIS': 'H'} -%}
  case
    {%- for k, v in roman.items() %}
    when {{ x }} = '{{ k }}' then '{{ v }}'
    {%- endfor %}
    when regexp_full_match({{ x }}, '[0-9]{1,9}') then cast(cast({{ x }} as integer) as varchar)
    else nullif({{ x }}, '')
  end
{%- endmacro %}

{#- Gemeente code in the reference's form GM#### ('363', '0363' and 'gm0363' -> 'GM0363'). -#}
{% macro clean_gemeentecode(column) -%}
  case
    when regexp_full_match(trim(cast({{ column }} as varchar)), '[0-9]{1,4}')
      then 'GM' || lpad(trim(cast({{ column }} as varchar)), 4, '0')
    else nullif(upper(trim(cast({{ column }} as varchar))), '')
  end
{%- endmacro %}

{#- Area codes (GM####, WK######, BU########): CBS pads them with spaces. -#}
{% macro clean_area_code(column) -%}
  nullif(upper(trim(cast({{ column }} as varchar))), '')
{%- endmacro %}
