-- Every count of a wijk equals the sum over its buurten (all quarters and periods, every
-- count indicator).
{{ areas_against_their_parts('wijk', 'buurt', '=') }}
