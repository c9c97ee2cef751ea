"""The Lua scripts of the tallies: KEYS[1] is the province's key prefix (see keys.py), ARGV the values."""
from pathlib import Path

_APPLY = Path(__file__).with_name("scripts.lua").read_text()

WRITE = _APPLY + """
local ev = cjson.decode(ARGV[1])
local gen = redis.call('GET', KEYS[1] .. ':gen')
local building = redis.call('GET', KEYS[1] .. ':building')
if building and ev.t == 'move' then
  redis.call('INCR', KEYS[1] .. ':stale')  -- not idempotent: the snapshot may hold it already, so rebuild again
elseif building then
  redis.call('RPUSH', KEYS[1] .. ':g:' .. building .. ':pending', ARGV[1])
end
if not gen then return -1 end
return apply(KEYS[1] .. ':g:' .. gen, ev)
"""

READ = """
local gen = redis.call('GET', KEYS[1] .. ':gen')
if not gen or redis.call('EXISTS', KEYS[1] .. ':stale') == 1 then return false end
local g = KEYS[1] .. ':g:' .. gen
local out = {redis.call('HGETALL', g .. ':reg')}
for i = 1, #ARGV do table.insert(out, redis.call('HGETALL', g .. ARGV[i])) end
return out
"""

SWAP = _APPLY + """
local g = KEYS[1] .. ':g:' .. ARGV[1]
local pending = redis.call('LRANGE', g .. ':pending', 0, -1)
for _, raw in ipairs(pending) do apply(g, cjson.decode(raw)) end
redis.call('DEL', g .. ':pending')
local old = redis.call('GET', KEYS[1] .. ':gen')
redis.call('SET', KEYS[1] .. ':gen', ARGV[1])
if redis.call('GET', KEYS[1] .. ':building') == ARGV[1] then redis.call('DEL', KEYS[1] .. ':building') end
if redis.call('GET', KEYS[1] .. ':stale') == (ARGV[2] ~= '' and ARGV[2] or false) then
  redis.call('DEL', KEYS[1] .. ':stale')  -- no write was lost since the snapshot was taken
end
return old
"""

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
