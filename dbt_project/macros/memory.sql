-- The optional DuckDB memory cap of the pipeline (orchestration/settings.py): when
-- MONITOR_DUCKDB_MEMORY_LIMIT is set (e.g. 4GB), every model of the build runs within it and
-- DuckDB spills to disk beyond it; unset, DuckDB keeps its default (80% of physical memory).
-- memory_limit is a setting of the database instance, so one SET covers every cursor.
{% macro apply_memory_limit() -%}
    {%- set limit = env_var('MONITOR_DUCKDB_MEMORY_LIMIT', '') | trim -%}
    {%- if limit -%}
        set memory_limit = '{{ limit | replace("'", "''") }}'
    {%- else -%}
        select 1 as memory_limit_unchanged
    {%- endif -%}
{%- endmacro %}
