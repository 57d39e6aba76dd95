-- Every count of a regio equals the sum over its gemeenten (all quarters and periods, every
-- count indicator): a regio holds exactly what its gemeenten hold, the signals at no
-- household included.
{{ areas_against_their_parts('regio', 'gemeente', '=') }}
