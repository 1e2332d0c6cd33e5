"""`fieldsync hub import|export` on a hub directory as `fieldsync hub init` leaves it, once on
SQLite and once on PostgreSQL: a dry run prints the counts and the rows and writes nothing;
a bad row is printed by line on stderr, exit 2, nothing written; a good file is imported
and exports back as the same rows."""
import pytest

from fieldsync.cli import main as fieldsync
from hub.admin import init_hub
from hub.home import HubHome


@pytest.fixture
def home(tmp_path, hub_db):
    home = HubHome(tmp_path / "hub")
    init_hub(home, database=hub_db if str(hub_db).startswith("postgresql") else None)
    return home


def run(capsys, home, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = fieldsync(["hub", args[0], "--dir", str(home.dir), *args[1:]])
    out = capsys.readouterr()
    return code, out.out, out.err


def outlets(capsys, home) -> str:
    return run(capsys, home, "outlets")[1]


def test_import_outlets_dry_run_bad_row_then_good_file_and_export(tmp_path, capsys, home):
    f = tmp_path / "网点.csv"
    f.write_text("网点编码,网点名称,大区,城市,接单能力\nHZ01,杭州一店,华东,杭州,20\nSH01,上海一店,华东,上海,很多\n",
                 encoding="utf-8")
    code, out, err = run(capsys, home, "import", "outlets", str(f), "--dry-run")
    assert code == 2 and "第3行" in err and "接单能力" in err and "没有导入任何数据" in err
    assert "新增 1 行" in out
    code, out, err = run(capsys, home, "import", "outlets", str(f), "--lang", "en")
    assert code == 2 and "Line 3:" in err and "nothing was imported" in err
    assert "HZ01" not in outlets(capsys, home)

    f.write_text("outlet code,outlet name,region,city,capacity\n"
                 "HZ01,杭州一店,华东,杭州,20\nSH01,上海一店,华东,上海,30\n", encoding="utf-8")
    code, out, err = run(capsys, home, "import", "outlets", str(f), "--dry-run")
    assert code == 0 and "新增 2 行" in out and "第2行 新增 HZ01" in out and "接单能力 20" in out
    assert "HZ01" not in outlets(capsys, home)
    code, out, err = run(capsys, home, "import", "outlets", str(f))
    assert code == 0 and "new=2" in out, err
    assert "HZ01" in outlets(capsys, home) and "SH01" in outlets(capsys, home)

    users = tmp_path / "users.xlsx"
    from openpyxl import Workbook
    wb = Workbook()
    for row in (["用户名", "姓名", "角色", "网点编码", "PIN码"], ["t.li", "李师傅", "维修师傅", "HZ01", "1234"]):
        wb.active.append(row)
    wb.save(users)
    code, out, err = run(capsys, home, "import", "users", str(users))
    assert code == 2 and "第2行" in err and "PIN" in err
    wb.active["E2"] = "739215"
    wb.save(users)
    code, out, err = run(capsys, home, "import", "users", str(users))
    assert code == 0 and "t.li  password: " in out
    password = out.split("password: ")[1].split()[0]
    assert password not in err

    exported = tmp_path / "out.xlsx"
    code, out, err = run(capsys, home, "export", "outlets", "-o", str(exported))
    assert code == 0 and exported.exists()
    code, out, err = run(capsys, home, "import", "outlets", str(exported), "--dry-run")
    assert code == 0 and "新增 0 行，修改 0 行，不变 2 行" in out
    code, out, err = run(capsys, home, "export", "users", "--lang", "en")
    assert code == 0 and "t.li" in out and "technician" in out and "password" not in out.lower()
