"""The import's memoised search keys are exactly kehu.pinyin.search_keys'."""

import random

from kehu.imports.pinyin import name_key, search_keys_fast
from kehu.pinyin import search_keys
from kehu.services import _name_key

CHARACTERS = "华联超市便利店烟酒行百货商店家福隆兴旺达盛鑫源金银乐重长和平安康（）()-·7aBcＡ１号路 "
NAMES = ["华联超市", "重庆百货", "乐购 Tesco", "7-11便利店", "银行", "长沙长长", "İstanbul店",
         "", "   ", "〇〇商店", "Ⅷ号", "苏果便利（中山路123号）", "ABC"]


def test_search_keys_agree_on_real_looking_and_odd_names():
    assert [search_keys_fast(name) for name in NAMES] == [search_keys(name) for name in NAMES]


def test_search_keys_agree_on_thousands_of_random_names():
    rng = random.Random(11)
    names = ["".join(rng.choice(CHARACTERS) for _ in range(rng.randint(1, 14)))
             for _ in range(3000)]

    assert [n for n in names if search_keys_fast(n) != search_keys(n)] == []


def test_the_name_key_is_the_one_the_duplicate_check_uses():
    for name in NAMES:
        assert name_key(search_keys_fast(name), name) == _name_key(name)


def test_names_sharing_their_chinese_part_agree():
    # Their keys come from one cached template with the digits and Latin runs filled in.
    rng = random.Random(5)
    fills = ["1", "23", "7-11", "A", "bc", "Tesco", "K2", "乐", "İ", "Ⅷ", "１２"]
    names = [f"{head}{rng.choice(fills)}{middle}{rng.choice(fills)}{tail}"
             for head in ("长乐", "重庆", "银行", "", "行")
             for middle in ("号", "便利店", "")
             for tail in ("店", "", "超市（大行路）")
             for _ in range(6)]

    assert [n for n in names if search_keys_fast(n) != search_keys(n)] == []
