"""Redis Cluster readiness: the URL that names a cluster, and every Lua script's keys in one slot.

`scripts/run_tests.sh` also starts a real 3-master cluster (scripts/redis_cluster.py) and runs the tally,
rate-limit and admission tests against it with TEST_REDIS_URL=redis+cluster://…
"""
from redis.cluster import ClusterNode
from redis.crc import key_slot

from quiz.contest.admission import room_keys
from quiz.infra.redis_client import LazyCluster, client_for_url, cluster_nodes
from quiz.tallies import keys as tally_keys


def test_a_cluster_url_names_its_startup_nodes():
    assert cluster_nodes("redis+cluster://127.0.0.1:7000,10.0.0.2:7001/0") == [
        ClusterNode("127.0.0.1", 7000), ClusterNode("10.0.0.2", 7001)]
    assert cluster_nodes("redis+cluster://redis-a") == [ClusterNode("redis-a", 6379)]
    assert isinstance(client_for_url("redis+cluster://127.0.0.1:1", 0.1), LazyCluster)  # no I/O until used


def test_the_admission_rooms_keys_share_one_slot_per_round():
    keys = [*room_keys("31", 7, 0).as_list(), *room_keys("31", 7, 3).as_list()]
    assert len({key_slot(k.encode()) for k in keys}) == 1
    assert key_slot(room_keys("31", 8, 0).waiting.encode()) != key_slot(keys[0].encode())  # rounds spread out


def test_the_tally_keys_share_the_provinces_hash_tag(ctx):
    generation = tally_keys.generation_key("4")
    names = [tally_keys.prefix(), tally_keys.current_generation_key(), tally_keys.building_key(),
             tally_keys.stale_key(), tally_keys.rebuild_lock_key(), tally_keys.round_key(generation, 1, "passed"),
             tally_keys.registration_key(generation, ":day:10507")]
    assert len({key_slot(k.encode()) for k in names}) == 1
