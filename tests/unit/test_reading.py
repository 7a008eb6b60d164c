"""Counting a CSV file's rows (the import's progress total) agrees with reading them."""
import pytest

from app.services.importing.reading import count_rows, iter_rows, sniff

CASES = {
    "plain, last line ended": b"Nom;Email\nA;a@x.fr\nB;b@x.fr\n",
    "last line not ended": b"Nom;Email\nA;a@x.fr\nB;b@x.fr",
    "CRLF and empty lines": b"Nom;Email\r\n\r\nA;a@x.fr\r\n\r\nB;b@x.fr\r\n",
    "quoted cell over two lines": b'Nom;Note\nA;"ligne 1\nligne 2"\nB;x\n',
    "lone carriage returns": b"Nom;Email\rA;a@x.fr\rB;b@x.fr\r",
    "cp1252 accents": "Nom;Prénom\nDurand;Élodie\n".encode("cp1252"),
    "BOM": b"\xef\xbb\xbfNom;Email\nA;a@x.fr\n",
    "empty": b"",
}


@pytest.mark.parametrize("content", CASES.values(), ids=CASES.keys())
def test_count_matches_the_rows_read(tmp_path, content):
    path = tmp_path / "leads.csv"
    path.write_bytes(content)
    settings = sniff(str(path), "auto", "auto")
    assert count_rows(str(path), settings) == len(list(iter_rows(str(path), settings)))
