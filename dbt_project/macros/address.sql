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
