-- One poll of the admission room (all keys share the round's hash tag, so it runs on a Redis Cluster).
-- KEYS: 1 waiting (zset citizen -> ticket), 2 seen (zset citizen -> last poll), 3 passes (zset citizen -> pass
-- expiry), 4 pace (the time the next start is due: a generic cell rate algorithm shared by the round's groups).
-- ARGV: citizen, now, draw_end, interval, burst, pass_ttl, stale_after, drawn ticket (a random number in [0, 1)),
-- key ttl. Returns {1} when admitted, else {0, rank, starts available now or -1 before the draw}.
local citizen, now = ARGV[1], tonumber(ARGV[2])
local draw_end, interval, burst = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local pass_ttl, stale_after, key_ttl = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[9])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if redis.call('ZSCORE', KEYS[3], citizen) then return {1} end
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - stale_after, 'LIMIT', 0, 200)
if #stale > 0 then  -- tickets of citizens who left (no poll for a while) give up their place
  redis.call('ZREM', KEYS[1], unpack(stale))
  redis.call('ZREM', KEYS[2], unpack(stale))
end
-- Tickets taken before the draw get a random number below any time: the draw orders them at random, ahead of later arrivals.
local ticket = now
if now < draw_end then ticket = tonumber(ARGV[8]) end
redis.call('ZADD', KEYS[1], 'NX', ticket, citizen)
redis.call('ZADD', KEYS[2], now, citizen)
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], key_ttl) end
local rank = redis.call('ZRANK', KEYS[1], citizen)
if now < draw_end then return {0, rank, -1} end
local pace = math.max(tonumber(redis.call('GET', KEYS[4]) or '0'), now - burst * interval)
local available = math.floor((now - pace) / interval)
if rank < available then
  redis.call('ZREM', KEYS[1], citizen)
  redis.call('ZREM', KEYS[2], citizen)
  redis.call('ZADD', KEYS[3], now + pass_ttl, citizen)
  redis.call('SET', KEYS[4], string.format('%.6f', pace + interval), 'EX', key_ttl)
  return {1}
end
return {0, rank, available}
