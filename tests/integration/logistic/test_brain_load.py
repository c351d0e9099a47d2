"""The 1C CSV loader (``logistic_brain_load``) and ``adolf logistic load-brain`` on SQLite and
PostgreSQL migrated to head: encodings (UTF-8 with and without BOM, cp1251, UTF-16), delimiters,
Russian and English headers, junk rows skipped and counted by line, a load replacing the
previous one in one transaction, refused tables, headers and files changing nothing."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, event, func, insert, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from adolf.adapters.sqlalchemy.engine import build_engine
from adolf.adapters.sqlalchemy.logistic_brain_load import (
    CHUNK,
    MAX_LISTED,
    BrainLoadError,
    load_brain_csv,
)
from adolf.adapters.sqlalchemy.logistic_tables import (
    BRAIN_TABLES,
    brain_customer_orders,
    brain_goods_receipts,
    brain_stock_balance,
)
from adolf.adapters.sqlalchemy.timestamps import as_utc
from adolf.entrypoints.cli import context
from adolf.entrypoints.cli.app import app as cli_app
from tests.unit.domain.generators import PROPERTY

T0 = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 06:00 in Moscow: the extract's hour in the seed
STOCK = "brain_stock_balance"


def _rows(engine: Engine, table: Any = brain_stock_balance) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(table).order_by(table.c.id)))


def _file(tmp_path: Path, content: str | bytes, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# As 1C writes it: a BOM, ';', Russian headers, a delimiter at the end of each line, CRLF.
RUSSIAN = (
    "Код;Номенклатура;Склад;Количество;\r\n"
    "00-001;Плед флисовый;Основной;12;\r\n"
    '00-002;"Одеяло; большое";Основной;1 234;\r\n'
    "00-003;Подушка;Основной;двенадцать;\r\n"
    "00-001;Плед флисовый;Резерв;-4;\r\n"
)


def test_a_1c_export_with_bom_semicolons_and_russian_headers_lands_as_written(
    migrated_engine: Engine, tmp_path: Path
) -> None:
    path = _file(tmp_path, codecs.BOM_UTF8 + RUSSIAN.encode("utf-8"))
    report = load_brain_csv(migrated_engine, path, STOCK, T0)
    assert (report.encoding, report.delimiter) == ("utf-8-sig", ";")
    assert (report.rows_read, report.rows_loaded, report.rows_skipped, report.rows_replaced) == (4, 4, 0, 0)
    rows = _rows(migrated_engine)
    assert [(r.line, r.code, r.name, r.warehouse, r.quantity) for r in rows] == [
        (2, "00-001", "Плед флисовый", "Основной", "12"),
        (3, "00-002", "Одеяло; большое", "Основной", "1 234"),
        (4, "00-003", "Подушка", "Основной", "двенадцать"),  # text kept: the import classifies it
        (5, "00-001", "Плед флисовый", "Резерв", "-4"),  # a code twice, a negative: kept too
    ]
    assert {as_utc(r.loaded_at) for r in rows} == {T0}


def test_cp1251_with_commas_and_english_headers(migrated_engine: Engine, tmp_path: Path) -> None:
    text = "code,name,quantity\n00-001,Плед,12\n00-002,Ёлка,7\n"
    report = load_brain_csv(migrated_engine, _file(tmp_path, text.encode("cp1251")), STOCK, T0)
    assert (report.encoding, report.delimiter, report.rows_loaded) == ("cp1251", ",", 2)
    assert [(r.code, r.name, r.warehouse, r.quantity) for r in _rows(migrated_engine)] == [
        ("00-001", "Плед", None, "12"),  # no warehouse column: NULL
        ("00-002", "Ёлка", None, "7"),
    ]


def test_utf8_without_bom_utf16_with_tabs_and_streams(migrated_engine: Engine, tmp_path: Path) -> None:
    plain = "КОД ; Остаток\n00-001;5\n"  # any case, spaces around a name
    assert load_brain_csv(migrated_engine, _file(tmp_path, plain), STOCK, T0).encoding == "utf-8"
    tabbed = "Код\tКоличество\r\n00-009\t3\r\n"
    report = load_brain_csv(migrated_engine, _file(tmp_path, tabbed.encode("utf-16")), STOCK, T0)
    assert (report.encoding, report.delimiter, report.rows_replaced) == ("utf-16", "\t", 1)
    assert [(r.code, r.quantity) for r in _rows(migrated_engine)] == [("00-009", "3")]
    report = load_brain_csv(migrated_engine, io.BytesIO(tabbed.encode("utf-16-le")), STOCK, T0)
    assert report.encoding == "utf-16-le"  # no BOM: told by the NULs beside ASCII
    report = load_brain_csv(migrated_engine, io.StringIO("\ufeffcode;quantity\n00-007;1\n"), STOCK, T0)
    assert (report.encoding, report.rows_loaded) == ("text", 1)
    assert [r.code for r in _rows(migrated_engine)] == ["00-007"]


def test_document_tables_take_a_date_and_a_number(migrated_engine: Engine, tmp_path: Path) -> None:
    text = (
        "Дата;Номер;Код;Номенклатура;Количество\n"
        "31.01.2026 0:00:00;ЗК-000123;00-001;Плед;3\n"
        "2026-02-01;ЗК-000124;00-002;Подушка;1\n"
        ";;00-003;Одеяло;2\n"  # no date, no number: NULL
        "31.02.2026;ЗК-000125;00-004;Плед;1\n"  # not a date: skipped
    )
    report = load_brain_csv(migrated_engine, _file(tmp_path, text), "brain_customer_orders", T0)
    assert (report.rows_read, report.rows_loaded, report.skipped_by_reason) == (4, 3, {"date": 1})
    assert report.skipped_lines[0].line == 5 and "'31.02.2026' is not a date" in report.skipped_lines[0].reason
    rows = _rows(migrated_engine, brain_customer_orders)
    assert [(r.code, r.document_date, r.document_number, r.quantity) for r in rows] == [
        ("00-001", date(2026, 1, 31), "ЗК-000123", "3"),
        ("00-002", date(2026, 2, 1), "ЗК-000124", "1"),
        ("00-003", None, None, "2"),
    ]


def test_junk_rows_are_skipped_and_counted_by_line_never_a_crash(migrated_engine: Engine, tmp_path: Path) -> None:
    lines = ["Код;Количество"]
    lines += ["00-001;5", "", ";7", "  ;8", "00-002", "00-003;1;extra", '"00-\n004";9', "00-005;;", "00-006;"]
    lines += [f"bad-{n};1;2" for n in range(30)]
    lines += ["00-099;\x00abc"]
    report = load_brain_csv(migrated_engine, _file(tmp_path, "\n".join(lines) + "\n"), STOCK, T0)
    assert report.skipped_by_reason == {"empty code": 2, "column count": 32}
    assert (report.rows_read, report.rows_loaded, report.rows_skipped) == (39, 5, 34)
    assert len(report.skipped_lines) == MAX_LISTED
    assert [(s.line, s.reason) for s in report.skipped_lines[:4]] == [
        (4, "empty code"),
        (5, "empty code"),
        (6, "1 columns, the header has 2"),
        (7, "3 columns, the header has 2"),
    ]
    assert report.skipped_lines[4].line == 12  # after the two lines of the quoted code
    assert [(r.line, r.code, r.quantity) for r in _rows(migrated_engine)] == [
        (2, "00-001", "5"),
        (8, "00-\n004", "9"),
        (10, "00-005", None),  # empty quantity: NULL, for the import to judge
        (11, "00-006", None),
        (42, "00-099", "abc"),  # NUL dropped: PostgreSQL text refuses it
    ]


def test_a_load_replaces_the_previous_one_and_touches_no_other_table(migrated_engine: Engine, tmp_path: Path) -> None:
    with migrated_engine.begin() as conn:
        conn.execute(insert(brain_goods_receipts).values(code="X", quantity="1", loaded_at=T0 - timedelta(days=3)))
    load_brain_csv(migrated_engine, _file(tmp_path, RUSSIAN), STOCK, T0 - timedelta(days=1))
    later = T0 + timedelta(hours=1)
    report = load_brain_csv(migrated_engine, _file(tmp_path, "code;quantity\nN-1;1\nN-2;2\n"), STOCK, later)
    assert (report.rows_replaced, report.rows_loaded) == (4, 2)
    rows = _rows(migrated_engine)
    assert [(r.code, as_utc(r.loaded_at)) for r in rows] == [("N-1", later), ("N-2", later)]
    assert [r.code for r in _rows(migrated_engine, brain_goods_receipts)] == ["X"]


def test_in_a_session_the_load_is_the_callers_transaction(migrated_engine: Engine, tmp_path: Path) -> None:
    load_brain_csv(migrated_engine, _file(tmp_path, RUSSIAN), STOCK, T0)
    with Session(migrated_engine) as session:
        report = load_brain_csv(session, _file(tmp_path, "code;quantity\nN-1;1\n"), STOCK, T0 + timedelta(days=1))
        assert report.rows_replaced == 4
        session.rollback()  # the caller's choice: the previous load stands
    assert len(_rows(migrated_engine)) == 4
    with Session(migrated_engine) as session:
        load_brain_csv(session, _file(tmp_path, "code;quantity\nN-1;1\n"), STOCK, T0 + timedelta(days=1))
        session.commit()
    assert [r.code for r in _rows(migrated_engine)] == ["N-1"]


def test_rows_go_in_bulk_not_one_statement_each(migrated_engine: Engine, tmp_path: Path) -> None:
    n = 2 * CHUNK + 500
    text = "code;quantity\n" + "".join(f"C-{i};{i}\n" for i in range(n))
    inserts: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append(statement)

    event.listen(migrated_engine, "before_cursor_execute", count)
    try:
        report = load_brain_csv(migrated_engine, _file(tmp_path, text), STOCK, T0)
    finally:
        event.remove(migrated_engine, "before_cursor_execute", count)
    assert report.rows_loaded == n
    assert len(inserts) <= 3  # one executemany per chunk of CHUNK rows
    with migrated_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(brain_stock_balance)).scalar_one() == n


@pytest.mark.parametrize(
    ("table", "content", "message"),
    [
        (
            "brain_stocks",
            RUSSIAN,
            "table='brain_stocks' is not a 1C extract table; expected one of brain_stock_balance",
        ),
        (STOCK, "Артикул;Кол-во\nA;1\n", "missing header 'code' (accepted: code: код, код номенклатуры"),
        (STOCK, "Артикул;Кол-во\nA;1\n", "found: 'Артикул', 'Кол-во'"),
        (
            "brain_supplier_orders",
            "Код;Количество\nA;1\n",
            "brain_supplier_orders: missing headers 'document_date', 'document_number'",
        ),
        (STOCK, "\n\n", "the file is empty"),
        (
            STOCK,
            "Код;Количество\n;1\n;2\n",
            "no row to load into brain_stock_balance (2 read, 2 skipped; line 2: empty code",
        ),
    ],
)
def test_a_refused_file_table_or_header_changes_nothing(
    migrated_engine: Engine, tmp_path: Path, table: str, content: str, message: str
) -> None:
    load_brain_csv(migrated_engine, _file(tmp_path, RUSSIAN, "good.csv"), STOCK, T0)
    with pytest.raises(BrainLoadError) as refused:
        load_brain_csv(migrated_engine, _file(tmp_path, content), table, T0 + timedelta(days=1))
    assert message in str(refused.value)
    rows = _rows(migrated_engine)
    assert len(rows) == 4 and {as_utc(r.loaded_at) for r in rows} == {T0}


def test_a_missing_file_and_a_naive_time_are_refused(migrated_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(BrainLoadError, match=r"nowhere\.csv: cannot read: No such file"):
        load_brain_csv(migrated_engine, tmp_path / "nowhere.csv", STOCK, T0)
    with pytest.raises(BrainLoadError, match="has no time zone"):
        load_brain_csv(migrated_engine, _file(tmp_path, RUSSIAN), STOCK, T0.replace(tzinfo=None))


# --- property: every non-blank record is read once, and loaded or skipped by the rules -------

# Cyrillic without Ё/ё: cp1251 writes it at 0xC0-0xFF, which UTF-8 never reads (so the
# encoding is told apart); ASCII, the delimiters, quotes and newlines inside cells.
ALPHABET = st.sampled_from("АБВЖЯабвжя" + "az09-_. " + ';,\t"\n')
CELL = st.text(ALPHABET, max_size=6)
RECORD = st.lists(CELL, min_size=0, max_size=4)


@PROPERTY
@given(
    records=st.lists(RECORD, max_size=25),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]),
    russian=st.booleans(),
    named=st.booleans(),
)
def test_each_record_is_read_once_and_loaded_or_skipped_by_the_rules(
    records: list[list[str]], delimiter: str, encoding: str, russian: bool, named: bool
) -> None:
    code, name, quantity = ("Код", "Номенклатура", "Количество") if russian else ("code", "name", "quantity")
    header = [code, name, quantity] if named else [code, quantity]
    width = len(header)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    expected, skipped, read, line = [], 0, 0, 2
    for cells in records:
        writer.writerow(cells)
        first, line = line, line + 1 + sum(cell.count("\n") for cell in cells)
        if not any(cell.strip() for cell in cells):
            continue  # a blank record is not a row
        read += 1
        trimmed = list(cells)
        while len(trimmed) > width and not trimmed[-1].strip():
            trimmed.pop()
        if len(trimmed) != width or not trimmed[0].strip():
            skipped += 1
            continue
        expected.append((first, trimmed[0].strip(), trimmed[-1].strip() or None))
    engine = build_engine("sqlite://")
    brain_stock_balance.create(engine)
    try:
        try:
            report = load_brain_csv(engine, io.BytesIO(buffer.getvalue().encode(encoding)), STOCK, T0)
        except BrainLoadError as exc:
            assert not expected and "no row to load" in str(exc)
            return
        assert [(r.line, r.code, r.quantity) for r in _rows(engine)] == expected
    finally:
        engine.dispose()
    ascii_only = buffer.getvalue().isascii()
    assert report.encoding == ("utf-8" if encoding == "cp1251" and ascii_only else encoding)
    assert (report.rows_read, report.rows_loaded, report.rows_skipped) == (read, len(expected), skipped)
    assert len(report.skipped_lines) == min(skipped, MAX_LISTED)
    assert report.delimiter == delimiter


def test_quotes_delimiters_and_newlines_inside_cells_are_kept() -> None:
    engine = build_engine("sqlite://")
    brain_stock_balance.create(engine)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\r\n")
    writer.writerows([["code", "quantity"], ['a"b', "1,5"], ["x\ny", " 2 "], ["", ""], ["c", ""]])
    load_brain_csv(engine, io.BytesIO(buffer.getvalue().encode("cp1251")), STOCK, T0)
    assert [(r.line, r.code, r.quantity) for r in _rows(engine)] == [
        (2, 'a"b', "1,5"),
        (3, "x\ny", "2"),
        (6, "c", None),
    ]
    engine.dispose()


# --- the command ----------------------------------------------------------------------------


@pytest.fixture
def cli(migrated_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The command in process, on the test's database (the CLI's settings and container are
    built once per process: rebuilt here for this database)."""
    monkeypatch.setenv("ADOLF_DATABASE_URL", migrated_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ADOLF_QUEUE_BACKEND", "inline")
    context.settings.cache_clear()
    context.container.cache_clear()
    yield CliRunner()
    context.container().engine().dispose()
    context.settings.cache_clear()
    context.container.cache_clear()


def test_load_brain_prints_the_report_and_exits_0_even_with_skipped_rows(
    cli: CliRunner, migrated_engine: Engine, tmp_path: Path
) -> None:
    path = _file(tmp_path, RUSSIAN + ";без кода;Основной;1;\r\n00-009;короткая\r\n")
    result = cli.invoke(cli_app, ["logistic", "load-brain", str(path), "--table", STOCK], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "brain_stock_balance" in out and "loaded" in out and "empty code" in out and "column count" in out
    assert "2 columns, the header has 4" in out
    assert len(_rows(migrated_engine)) == 4
    result = cli.invoke(cli_app, ["logistic", "load-brain", str(path), "--table", STOCK, "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert {k: shown[k] for k in ("table", "rows_read", "rows_loaded", "rows_skipped", "rows_replaced")} == {
        "table": STOCK,
        "rows_read": 6,
        "rows_loaded": 4,
        "rows_skipped": 2,
        "rows_replaced": 4,
    }
    assert shown["skipped_by_reason"] == {"empty code": 1, "column count": 1}
    assert [s["line"] for s in shown["skipped_lines"]] == [6, 7]
    assert shown["file"] == str(path) and shown["encoding"] == "utf-8" and shown["delimiter"] == ";"
    assert datetime.fromisoformat(shown["loaded_at"]).tzinfo is not None  # the container's clock


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--table", "brain_nope"], "table='brain_nope' is not a 1C extract table"),
        (["--table", "brain_goods_receipts"], "missing headers 'document_date', 'document_number'"),
        (["--table", STOCK, "--missing"], "cannot read"),
    ],
)
def test_load_brain_refuses_a_bad_table_header_or_file_with_exit_2(
    cli: CliRunner, migrated_engine: Engine, tmp_path: Path, args: list[str], error: str
) -> None:
    path = _file(tmp_path, RUSSIAN)
    if "--missing" in args:
        args, path = args[:-1], tmp_path / "missing.csv"
    result = cli.invoke(cli_app, ["logistic", "load-brain", str(path), *args], env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    assert error in result.stderr and "error:" in result.stderr
    assert result.stdout == ""
    assert _rows(migrated_engine) == []


def test_every_brain_table_can_be_loaded_by_the_command(
    cli: CliRunner, migrated_engine: Engine, tmp_path: Path
) -> None:
    document = "Дата;Номер;Код;Количество\n01.03.2026;Д-1;00-001;2\n"
    for table in BRAIN_TABLES:
        content = RUSSIAN if table == STOCK else document
        result = cli.invoke(
            cli_app, ["logistic", "load-brain", str(_file(tmp_path, content)), "--table", table, "--json"]
        )
        assert result.exit_code == 0, (table, result.output)
        assert json.loads(result.stdout)["rows_loaded"] == (4 if table == STOCK else 1)
