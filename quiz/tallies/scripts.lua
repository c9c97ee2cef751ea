-- Shared by every tally script: apply one event to a generation's keys (g = key prefix of that generation).
-- Events carry the ids that make them idempotent: a bit per citizen and per graded attempt.
local function apply(g, ev)
  if ev.t == 'reg' then
    if redis.call('SETBIT', g .. ':reg:seen', ev.id, 1) == 1 then return 0 end
    redis.call('HINCRBY', g .. ':reg', ev.code, 1)
    redis.call('HINCRBY', g .. ':reg:day', ev.day, 1)
    redis.call('HINCRBY', g .. ':reg:day:' .. ev.code, ev.day, 1)
  elseif ev.t == 'res' then
    local r = g .. ':r:' .. ev.round
    if redis.call('SETBIT', r .. ':graded', ev.attempt, 1) == 1 then return 0 end
    redis.call('SADD', g .. ':rounds', ev.round)
    redis.call('HINCRBY', r .. ':attempts', ev.code, 1)
    if ev.first == 1 then
      redis.call('HINCRBY', r .. ':completed', ev.code, 1)
      redis.call('HINCRBY', r .. ':day', ev.day, 1)
      redis.call('HINCRBY', r .. ':day:' .. ev.code, ev.day, 1)
    end
    if ev.score ~= 0 then redis.call('HINCRBY', r .. ':score_sum', ev.code, ev.score) end
    if ev.passed ~= 0 then redis.call('HINCRBY', r .. ':passed', ev.code, ev.passed) end
  elseif ev.t == 'move' then
    redis.call('HINCRBY', g .. ':reg', ev.old, -1)
    redis.call('HINCRBY', g .. ':reg', ev.new, 1)
    redis.call('HINCRBY', g .. ':reg:day:' .. ev.old, ev.day, -1)
    redis.call('HINCRBY', g .. ':reg:day:' .. ev.new, ev.day, 1)
    for _, m in ipairs(ev.rounds) do
      local r = g .. ':r:' .. m.round
      for _, field in ipairs({'attempts', 'completed', 'passed', 'score_sum'}) do
        if m[field] ~= 0 then
          redis.call('HINCRBY', r .. ':' .. field, ev.old, -m[field])
          redis.call('HINCRBY', r .. ':' .. field, ev.new, m[field])
        end
      end
      redis.call('HINCRBY', r .. ':day:' .. ev.old, m.day, -1)
      redis.call('HINCRBY', r .. ':day:' .. ev.new, m.day, 1)
    end
  end
  return 1
end
