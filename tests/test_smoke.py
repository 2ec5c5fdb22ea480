def test_world_builds_and_coordinator_sees_home(world, login):
    client = login("coord1")
    resp = client.get("/")
    assert resp.status_code == 200
    assert "曹镇村" in resp.get_data(as_text=True)
