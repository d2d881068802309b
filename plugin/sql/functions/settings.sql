-- settings.sql: the policy's settings as the functions take them.
--
-- The type absence.policy_config and absence.policy_defaults() are generated
-- from include/config.def (the POLICY_* keys, with their defaults) and
-- applied just before this file. Every policy function takes one
-- absence.policy_config; a statement builds it once, from the JSON object
-- the programs pass by name.

-- config.def's defaults overridden by P_SETTINGS, an object keyed by config
-- key: absence.policy_settings('{"send-delay": 600, "absent-marks": ["O", "N"]}').
-- A key config.def does not give the policy is an error, not ignored.
create function absence.policy_settings(p_settings jsonb default '{}')
returns absence.policy_config
language plpgsql immutable
as $$
declare
    v_defaults constant jsonb := absence.policy_defaults();
    v_unknown text;
begin
    select string_agg(key, ', ' order by key) into v_unknown
      from jsonb_object_keys(p_settings) key
     where not v_defaults ? key;
    if v_unknown is not null then
        raise exception 'unknown policy setting: %', v_unknown
            using hint = 'the policy''s settings are the POLICY_* keys of include/config.def';
    end if;
    return jsonb_populate_record(null::absence.policy_config,
        (select jsonb_object_agg(replace(key, '-', '_'), value)
           from jsonb_each(v_defaults || p_settings)));
end
$$;
