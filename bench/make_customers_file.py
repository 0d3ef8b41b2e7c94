"""Write a realistic customer import file of N rows (xlsx, in constant memory).

    python bench/make_customers_file.py 1000000 var/bench/customers-1m.xlsx

Columns as the template; a mix of LPG households (station by name) and pipeline households
(meter numbers), care flags, Chinese names, phones typed in several ways.
"""

import random
import sys
from pathlib import Path

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from ranan.customers.columns import COLUMNS  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志卓玛扎西次仁"


def write(n: int, path: str, townships: int = 20, villages: int = 25, seed: int = 1) -> None:
    rng = random.Random(seed)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("客户")
    sheet.write_row(0, 0, [c.header for c in COLUMNS])
    index = {c.key: i for i, c in enumerate(COLUMNS)}
    for r in range(1, n + 1):
        t, v = rng.randrange(townships), rng.randrange(villages)
        code = f"980101{100 + t:03d}{200 + v:03d}"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if r % 3 else "")
        row = [None] * len(COLUMNS)
        row[index["kind"]] = "居民用户" if r % 50 else "餐饮"
        row[index["name"]] = name
        row[index["address"]] = f"{t + 1}乡{v + 1}村{r}号"
        row[index["jurisdiction_code"]] = code
        if r % 4 == 0:
            row[index["supply"]] = "管道燃气"
            row[index["meter_number"]] = f"BM{r:09d}"
            row[index["gas_company"]] = "基准管道燃气公司"
            row[index["building"]] = str(r % 30 + 1)
            row[index["unit"]], row[index["room"]] = "2", str(r % 600 + 101)
        else:
            row[index["supply"]] = "瓶装液化气"
            row[index["lpg_station"]] = f"基准{rng.randrange(5) + 1}站"
        row[index["contact_name"]] = name
        phone = f"1{rng.choice('3589')}{r:09d}"
        row[index["phone"]] = phone if r % 5 else f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        row[index["elderly_alone"]] = "是" if r % 17 == 0 else "否"
        row[index["high_rise"]] = "是" if r % 4 == 0 and r % 30 > 10 else ""
        row[index["home_times"]] = ["晚上", "周末", "全天", ""][r % 4]
        row[index["status"]] = "在用"
        for col, value in enumerate(row):
            if value:
                sheet.write_string(r, col, value)
    book.close()


if __name__ == "__main__":
    write(int(sys.argv[1]), sys.argv[2])
    print(f"wrote {sys.argv[2]}")
