"""The volunteer's own profile: GET and PATCH /api/v1/me."""


def test_new_volunteer_has_an_empty_profile(client, volunteer_headers):
    me = client.get("/api/v1/me", headers=volunteer_headers).get_json()
    assert me["nickname"] is None
    assert me["phone_masked"] is None
    assert me["region_code"] is None
    assert isinstance(me["id"], int)


def test_patch_changes_only_the_fields_given(client, volunteer_headers):
    first = client.patch(
        "/api/v1/me",
        json={"nickname": "小绿", "real_name": "张三", "region_code": "330106"},
        headers=volunteer_headers,
    )
    assert first.status_code == 200
    second = client.patch("/api/v1/me", json={"nickname": "绿绿"}, headers=volunteer_headers)
    me = second.get_json()
    assert me["nickname"] == "绿绿"
    assert me["real_name"] == "张三"
    assert me["region_code"] == "330106"
    assert me["region_name"] == "浙江省杭州市西湖区"


def test_patch_can_clear_a_field(client, volunteer_headers):
    client.patch("/api/v1/me", json={"nickname": "小绿"}, headers=volunteer_headers)
    me = client.patch("/api/v1/me", json={"nickname": None}, headers=volunteer_headers).get_json()
    assert me["nickname"] is None


def test_region_outside_zhejiang_is_refused(client, volunteer_headers):
    response = client.patch("/api/v1/me", json={"region_code": "110101"}, headers=volunteer_headers)
    assert response.status_code == 422
    assert response.get_json()["details"]["fields"]["region_code"] == [
        "不是浙江省内有效的行政区划代码"
    ]


def test_overlong_nickname_is_refused(client, volunteer_headers):
    response = client.patch("/api/v1/me", json={"nickname": "长" * 33}, headers=volunteer_headers)
    assert response.status_code == 422
    assert "长度" in response.get_json()["details"]["fields"]["nickname"][0]


def test_volunteers_see_only_themselves(client, login_volunteer):
    alice = login_volunteer("alice")
    bob = login_volunteer("bob")
    client.patch("/api/v1/me", json={"nickname": "A"}, headers=alice["headers"])
    assert client.get("/api/v1/me", headers=bob["headers"]).get_json()["nickname"] is None
    assert alice["volunteer"]["id"] != bob["volunteer"]["id"]
