"""Readers: every format partners send, detected; bad files refused as a whole."""

import io
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook

from innovations.importing.readers import ImportFileError, read_bytes, read_http_json, read_path

CSV_ROWS = [
    ["id", "nom", "commune", "description"],
    ["1", "Épicerie solidaire", "Brest", "Paniers, fruits; légumes | pain"],
    ["2", "Jardin partagé", "Rennes", "Un « jardin » ouvert à tous"],
]


def _csv(delimiter: str, encoding: str, *, newline="\n") -> bytes:
    buffer = io.StringIO()
    import csv

    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerows(CSV_ROWS)
    return buffer.getvalue().encode(encoding)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_delimiter_and_encoding_are_detected(delimiter, encoding):
    result = read_bytes(_csv(delimiter, encoding), filename="export.csv")
    assert result.format == "csv"
    assert result.delimiter == delimiter
    assert result.encoding == encoding
    assert result.columns == ["id", "nom", "commune", "description"]
    assert [r.row for r in result.records] == [2, 3]
    assert result.records[0].data["nom"] == "Épicerie solidaire"
    assert result.records[0].data["description"] == "Paniers, fruits; légumes | pain"
    assert result.records[1].data["description"] == "Un « jardin » ouvert à tous"


def test_csv_with_windows_line_endings_and_quoted_line_breaks():
    content = 'id;nom;description\r\n1;Atelier;"deux\r\nlignes"\r\n2;Ressourcerie;ok\r\n'
    result = read_bytes(content.encode(), filename="x.csv")
    assert [r.row for r in result.records] == [3, 4]  # the line where each record ends
    assert result.records[0].data["description"] == "deux\r\nlignes"


def test_csv_long_middle_row_is_reported_not_dropped():
    content = "id,nom,commune\n1,A,Brest\n2,B,Brest,en trop\n3,C,Rennes\n"
    result = read_bytes(content.encode(), filename="x.csv")
    assert len(result.records) == 3
    bad = result.records[1]
    assert bad.row == 3
    assert "4 colonnes au lieu de 3" in bad.data["__erreur__"]
    assert "__erreur__" not in result.records[2].data


def test_csv_short_rows_read_as_padded_with_empty_cells():
    # A spreadsheet export drops the empty cells at the end of a row, last row
    # included (and without a final line break): complete in spirit, not truncated.
    header = ",".join(f"c{n}" for n in range(1, 21))
    content = f"{header}\n1,A,Brest\n2,B,Rennes,,,,,,,,,,,,,,,,,x\n3,C,Brest,d,e,f,g,h,i,j"
    result = read_bytes(content.encode(), filename="x.csv")
    assert [r.row for r in result.records] == [2, 3, 4]
    assert all("__erreur__" not in r.data for r in result.records)
    assert result.records[0].data["c3"] == "Brest"
    assert result.records[0].data["c20"] == ""  # padded
    assert result.records[2].data["c10"] == "j" and result.records[2].data["c11"] == ""


def test_csv_empty_extra_cells_are_no_error():
    result = read_bytes(b"id,nom\n1,A,,\n", filename="x.csv")
    assert result.records[0].data == {"id": "1", "nom": "A"}


def test_truncated_csv_is_refused_as_a_whole():
    # Truncated means it ends inside a record: a quote opened and never closed.
    for content in ('id,nom,description\n1,A,"texte\n2,B,"ouvert', 'id,nom\n1,"A\n2,B\n'):
        with pytest.raises(ImportFileError, match="tronqué"):
            read_bytes(content.encode(), filename="x.csv")


def test_xlsx_short_rows_are_padded_and_long_rows_reported():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "nom", "commune"])
    sheet.append(["1", "A"])
    sheet.append(["2", "B", "Brest", "en trop"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_bytes(buffer.getvalue(), filename="x.xlsx")
    assert result.records[0].data == {"id": "1", "nom": "A", "commune": ""}
    assert "4 colonnes au lieu de 3" in result.records[1].data["__erreur__"]


def test_json_keys_are_read_without_surrounding_spaces():
    result = read_bytes(json.dumps([{"Nom ": "A", " id": 1}]).encode(), filename="x.json")
    assert result.records[0].data == {"Nom": "A", "id": 1}
    assert result.columns == ["Nom", "id"]


def test_binary_and_empty_files_are_refused():
    with pytest.raises(ImportFileError, match="binaire"):
        read_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00", filename="photo.csv")
    with pytest.raises(ImportFileError, match="vide"):
        read_bytes(b"  \n", filename="x.csv")


def test_single_column_file_has_no_delimiter():
    with pytest.raises(ImportFileError, match="séparateur"):
        read_bytes(b"nom\nA\nB\n", filename="x.csv")


def test_duplicate_headers_are_refused():
    with pytest.raises(ImportFileError, match="double"):
        read_bytes(b"id,nom,nom\n1,a,b\n", filename="x.csv")


def test_xlsx_is_read_with_row_numbers():
    workbook = Workbook()
    sheet = workbook.active
    for row in CSV_ROWS:
        sheet.append(row)
    sheet.append([None, None, None, None])
    sheet.append([3, "Tiers-lieu", "Lyon", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_bytes(buffer.getvalue(), filename="export.xlsx")
    assert result.format == "xlsx"
    assert [r.row for r in result.records] == [2, 3, 5]
    assert result.records[2].data == {
        "id": 3,
        "nom": "Tiers-lieu",
        "commune": "Lyon",
        "description": "",
    }


def test_broken_xlsx_is_refused():
    with pytest.raises(ImportFileError, match="XLSX"):
        read_bytes(b"PK\x03\x04 pas vraiment un classeur", filename="x.xlsx")


def test_json_array_and_wrapped_object():
    items = [{"id": 1, "nom": "A"}, {"id": 2, "nom": "B"}]
    assert len(read_bytes(json.dumps(items).encode()).records) == 2
    wrapped = {"meta": {"total": 2}, "lieux": items}
    result = read_bytes(json.dumps(wrapped).encode(), filename="x.json")
    assert [r.data["nom"] for r in result.records] == ["A", "B"]
    nested = {"data": {"rows": items}}
    result = read_bytes(json.dumps(nested).encode(), items_path="data.rows")
    assert [r.row for r in result.records] == [1, 2]
    with pytest.raises(ImportFileError, match=r"data\.absent"):
        read_bytes(json.dumps(nested).encode(), items_path="data.absent")


def test_json_item_that_is_not_an_object_is_a_row_error():
    result = read_bytes(b'[{"id": 1}, "intrus", {"id": 3}]')
    assert "objet JSON" in result.records[1].data["__erreur__"]
    assert result.records[2].row == 3


def test_truncated_json_is_refused():
    with pytest.raises(ImportFileError, match="tronqué"):
        read_bytes(b'[{"id": 1}, {"id": 2, "nom": "coup')


def test_geojson_features_become_properties_with_a_point():
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "f1",
                "geometry": {"type": "Point", "coordinates": [-4.48, 48.39]},
                "properties": {"nom": "Brest"},
            },
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0, 45], [2, 45], [2, 47], [0, 47]]],
                },
                "properties": {"nom": "Zone"},
            },
            {"type": "Feature", "geometry": None, "properties": {"nom": "Sans lieu"}},
        ],
    }
    result = read_bytes(json.dumps(collection).encode(), filename="lieux.geojson")
    assert result.format == "geojson"
    first, zone, none = (r.data for r in result.records)
    assert (first["__latitude__"], first["__longitude__"]) == (48.39, -4.48)
    assert first["id"] == "f1"
    assert (zone["__latitude__"], zone["__longitude__"]) == (46, 1)
    assert "__latitude__" not in none


class FakeResponse:
    def __init__(self, payload, status=200):
        self.content = json.dumps(payload).encode()
        self.status_code = status

    def raise_for_status(self):
        if self.status_code >= 400:
            import requests

            raise requests.HTTPError(f"{self.status_code} Server Error")


class FakeSession:
    def __init__(self, pages):
        self.pages = pages
        self.urls = []

    def get(self, url, **kwargs):
        self.urls.append(url)
        return self.pages[url]


def test_paginated_api_follows_next_links():
    session = FakeSession(
        {
            "https://p.example/api": FakeResponse(
                {"results": [{"id": 1}, {"id": 2}], "next": "/api?page=2"}
            ),
            "https://p.example/api?page=2": FakeResponse({"results": [{"id": 3}], "next": None}),
        }
    )
    result = read_http_json(
        "https://p.example/api", items_path="results", next_path="next", session=session
    )
    assert [r.data["id"] for r in result.records] == [1, 2, 3]
    assert [r.row for r in result.records] == [1, 2, 3]


def test_paginated_api_by_page_number_until_empty():
    session = FakeSession(
        {
            "https://p.example/api?page=1": FakeResponse({"items": [{"id": 1}]}),
            "https://p.example/api?page=2": FakeResponse({"items": [{"id": 2}]}),
            "https://p.example/api?page=3": FakeResponse({"items": []}),
        }
    )
    result = read_http_json(
        "https://p.example/api", items_path="items", page_param="page", session=session
    )
    assert [r.data["id"] for r in result.records] == [1, 2]


def test_a_failing_page_refuses_the_whole_feed():
    session = FakeSession(
        {
            "https://p.example/api?page=1": FakeResponse({"items": [{"id": 1}]}),
            "https://p.example/api?page=2": FakeResponse({}, status=502),
        }
    )
    with pytest.raises(ImportFileError, match="page 2"):
        read_http_json(
            "https://p.example/api", items_path="items", page_param="page", session=session
        )


SHARED = Path(os.environ.get("CARREFOUR_SHARED_DATA", Path(settings.BASE_DIR).parent / "shared"))
DATA = SHARED / "data" if (SHARED / "data").is_dir() else SHARED


@pytest.mark.skipif(
    not (DATA / "partners-mednum").is_dir(),
    reason="données partenaires absentes (../shared/data) : lecture réelle non testée",
)
@pytest.mark.parametrize(
    ("path", "count"),
    [
        ("partners-mednum/corse/corse.json", 161),
        ("partners-mednum/gironde/gironde.json", 347),
        ("partners-mednum/hub-lo/hub-lo.json", 426),
        ("partners-mednum/la-creuse/la-creuse.json", 91),
        ("partners-mednum/maine-et-loire/maine-et-loire.json", 243),
        ("partners-mednum/ultra-num/ultra-num.json", 155),
        ("alternatives-pwa/elements.json", 700),
    ],
)
def test_real_partner_files_are_read_in_full(path, count):
    result = read_path(DATA / path)
    assert len(result.records) == count
    assert not any("__erreur__" in r.data for r in result.records)
    assert result.columns


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ImportFileError, match="introuvable"):
        read_path(tmp_path / "absent.csv")
