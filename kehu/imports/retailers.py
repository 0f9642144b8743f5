"""Retailer cards from Excel: new codes become new cards, known codes (within the
importer's company and scope) update theirs.

An empty cell leaves an existing card's value as it is (a new card takes the model's
default). A new card that looks like an existing shop (same key-person phone, similar
name within 100 m, in the database or earlier in the file) is an error unless the row
says why it is a different shop in 重复确认原因; a licence number already on another
card is always an error. Cards whose values do not change are not touched (no history
row, no new `updated_at`), so exporting and importing back changes nothing.
"""

import contextlib
import re
from decimal import Decimal
from operator import itemgetter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgNode, Role, User
from kehu.imports import base, sql
from kehu.imports.base import ImportConflict, Importer, Record
from kehu.imports.columns import retailer_columns
from kehu.imports.duplicates import Grid, Point, nearby_existing, phones_in_use
from kehu.imports.lookups import filtered_in
from kehu.imports.pinyin import name_key, search_keys_fast
from kehu.imports.stream import Writer
from kehu.models import KeyPerson, Retailer, RetailerAssignment, licence_validator
from kehu.validation import normalise_licence, normalise_phone

CARD_FIELDS = ("name", "licence_no", "business_type", "trade_area", "address", "area_id",
               "latitude", "longitude", "assigned_rep_id", "status", "credit_limit",
               "order_channel", "e_settlement")
PLAIN_KEYS = ("name", "business_type", "trade_area", "address", "latitude", "longitude",
              "status", "credit_limit", "order_channel", "e_settlement")
LICENCE = re.compile(licence_validator.regex.pattern, licence_validator.regex.flags)
NEW_DEFAULTS = {
    "licence_no": "", "trade_area": Retailer.TradeArea.OTHER.value, "address": "",
    "latitude": None, "longitude": None, "assigned_rep_id": None,
    "status": Retailer.Status.ACTIVE.value, "credit_limit": Decimal("0.00"),
    "order_channel": Retailer.OrderChannel.PHONE.value, "e_settlement": False,
}


def _stage_columns() -> list[sql.StageColumn]:
    field = Retailer._meta.get_field
    return [
        sql.StageColumn("rownum", models.IntegerField()),
        sql.StageColumn("id", models.BigIntegerField()),  # the existing card's, on PostgreSQL
        sql.StageColumn("existing_id", models.BigIntegerField()),
        sql.StageColumn("code", field("code")),
        *(sql.StageColumn(name, sql.column_type(field(name.removesuffix("_id"))))
          for name in CARD_FIELDS),
        sql.StageColumn("search_keys", field("search_keys")),
        sql.StageColumn("duplicate_reason", field("duplicate_reason")),
        sql.StageColumn("old_rep_id", models.BigIntegerField()),
        sql.StageColumn("rep_changed", models.BooleanField()),
        sql.StageColumn("person_name", KeyPerson._meta.get_field("name")),
        sql.StageColumn("person_phone", KeyPerson._meta.get_field("phone")),
    ]


class RetailerImporter(Importer):
    kind = "retailers"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.columns = retailer_columns()
        self.areas: dict[str, int | None] = {}
        self.reps: dict[str, int | None] = {}
        self.code_rows: dict[str, int] = {}
        self.licence_rows: dict[str, int] = {}
        self.phone_rows: dict[str, int] = {}
        self.grid = Grid()
        self.new: list[dict] = []
        self.changed: list[dict] = []
        self.unchanged = 0
        self.points: list[tuple[dict, Point]] = []
        self.judged = 0  # new plans whose likely duplicates are judged (streaming)
        self.tiles: dict = {}  # existing cards by map tile, read once (streaming)
        self.existing: dict[str, dict] = {}
        self.hidden: set[str] = set()
        self.owners: dict[str, str] = {}
        self.phone_cards: dict = {}
        self.code_values: set = set()
        self.stream = False
        self.writer: Writer | None = None
        self.key_persons = 0

    # Lookups, one query per chunk of values -------------------------------------------

    def _existing(self, codes: set[str]) -> tuple[dict[str, dict], set[str]]:
        """In-scope cards by code, and the codes that exist outside the scope."""
        visible: dict[str, dict] = {}
        fields = ("id", "code", *CARD_FIELDS, "search_keys", "duplicate_reason")
        mine = Retailer.objects.for_user(self.actor).filter(company=self.company)
        for queryset in filtered_in(mine, "code", codes):
            visible.update((row["code"], row) for row in queryset.values(*fields))
        hidden: set[str] = set()
        others = Retailer.objects.filter(company=self.company)
        for queryset in filtered_in(others, "code", codes - set(visible)):
            hidden.update(queryset.values_list("code", flat=True))
        return visible, hidden

    def _resolve_areas(self, codes: set[str]) -> None:
        codes = codes - set(self.areas)
        areas = OrgNode.objects.for_user(self.actor).filter(
            kind=OrgNode.Kind.AREA, path__startswith=self.company.path)
        found: dict[str, int] = {}
        for queryset in filtered_in(areas, "code", codes):
            found.update(queryset.values_list("code", "id"))
        self.areas.update({code: found.get(code) for code in codes})

    def _resolve_reps(self, usernames: set[str]) -> None:
        usernames = usernames - set(self.reps)
        reps = User.objects.for_user(self.actor).filter(
            is_active=True, memberships__role=Role.REP,
            memberships__node__path__startswith=self.company.path)
        found: dict[str, int] = {}
        for queryset in filtered_in(reps, "username", usernames):
            found.update(queryset.values_list("username", "id").distinct())
        self.reps.update({name: found.get(name) for name in usernames})

    def _licence_owners(self, licences: set[str]) -> dict[str, str]:
        owners: dict[str, str] = {}
        cards = Retailer.objects.filter(company=self.company)
        for queryset in filtered_in(cards, "licence_no", licences):
            owners.update(queryset.values_list("licence_no", "code"))
        return owners

    # Checks ----------------------------------------------------------------------------

    lookup_keys = ("code", "area_code", "rep_username", "licence_no", "person_phone")

    def prepare(self, values: dict[str, set]) -> None:
        """Every lookup for the whole file, before any row is checked or written: the
        streaming writer's uncommitted cards must never be what a lookup finds (nor
        slow it down: each would be an in-progress row to check for visibility)."""
        self.code_values = values.get("code", set())
        self.existing, self.hidden = self._existing(self.code_values)
        self._resolve_areas(values.get("area_code", set()))
        self._resolve_reps(values.get("rep_username", set()))
        licences = {normalise_licence(value) for value in values.get("licence_no", ())}
        self.owners = self._licence_owners(licences - {""})
        phones = set()
        for raw in values.get("person_phone", ()):
            with contextlib.suppress(ValidationError):
                phones.add(normalise_phone(raw, field="person_phone"))
        self.phone_cards = phones_in_use(self.company, phones - {""})
        self.stream = self._streams()

    def feed(self, records: list[Record]) -> None:
        points = len(self.points)
        existing, hidden, owners = self.existing, self.hidden, self.owners
        phone_cards = self.phone_cards
        for record in records:
            phone = self._phone(record) or None  # for new cards only
            if phone is not None and record.values.get("code") in existing:
                phone = None
            self._check(record, existing, hidden, owners, phone, phone_cards)
        if self.stream and self.writer is None and not self.errors:
            self.writer = self._start_writer()
        if self.writer is not None:
            # Judge this chunk's new cards now (their likely duplicates in the database
            # are those committed: the writer's rows are not visible here) and, while the
            # file is clean so far, hand them to the writer.
            self._nearby(points)
            chunk = self.new[self.judged:]
            for plan in chunk:
                self._judge(plan)
            self.judged = len(self.new)
            if self.errors:
                self.writer.abandon()
            elif chunk:
                self.writer.send(chunk)

    def _streams(self) -> bool:
        """Write while checking: on PostgreSQL, outside a transaction (the writer's own
        connection could not see uncommitted rows of the caller's), for files of more
        than one chunk (judged by the lookups' codes) without errors so far."""
        return (sql.is_postgresql() and not connection.in_atomic_block and not self.errors
                and len(self.code_values) > base.CHUNK_ROWS
                and getattr(settings, "KEHU_IMPORT_STREAM", True))

    def _start_writer(self) -> Writer:
        now = timezone.now()

        def chunk(cursor, plans: list[dict]) -> None:
            self.key_persons += self._copy_new_pg(cursor, plans, now)

        def finish(cursor, changed: list[dict]) -> dict:
            self._write_plans_pg(cursor, [], changed, now)
            return {"key_persons": self.key_persons}

        return Writer(start=lambda cursor: None, chunk=chunk, finish=finish,
                      merge=lambda chunks: [plan for plans in chunks for plan in plans])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.abandon()

    def _phone(self, record: Record) -> str:
        raw = record.values.get("person_phone")
        if raw is None:
            return ""
        try:
            phone = normalise_phone(raw, field="person_phone")
        except ValidationError as exc:
            self.error(record.row, "person_phone", exc.messages[0])
            record.bad = True
            return ""
        record.values["person_phone"] = phone
        if phone and not record.values.get("person_name"):
            self.error(record.row, "person_name", _("Give the key person's name with the phone."))
            record.bad = True
        return phone

    def _fields(self, record: Record, owners: dict[str, str]) -> dict | None:
        """The card fields the row sets, or None when one of them is wrong."""
        values, row, ok = record.values, record.row, not record.bad
        fields = {key: values[key] for key in PLAIN_KEYS if key in values}
        if "area_code" in values:
            fields["area_id"] = self.areas.get(values["area_code"])
            if fields["area_id"] is None:
                self.error(row, "area_code", _("Unknown area code “%(code)s”.")
                           % {"code": values["area_code"]})
                ok = False
        if "rep_username" in values:
            fields["assigned_rep_id"] = self.reps.get(values["rep_username"])
            if fields["assigned_rep_id"] is None:
                self.error(row, "rep_username", _("Unknown rep username “%(username)s”.")
                           % {"username": values["rep_username"]})
                ok = False
        if "licence_no" in values:
            ok = self._check_licence(row, values, owners, fields) and ok
        if ("latitude" in values) != ("longitude" in values) and \
                "latitude" not in record.failed and "longitude" not in record.failed:
            missing = "longitude" if "latitude" in values else "latitude"
            self.error(row, missing, _("Give both latitude and longitude, or neither."))
            ok = False
        return fields if ok else None

    def _check_licence(self, row: int, values: dict, owners: dict, fields: dict) -> bool:
        licence = normalise_licence(values["licence_no"])
        if not LICENCE.search(licence):  # the validator's own check, without its wrapper
            try:
                licence_validator(licence)
            except ValidationError as exc:
                self.error(row, "licence_no", exc.messages[0])
                return False
        first = self.licence_rows.setdefault(licence, row)
        if first != row:
            self.error(row, "licence_no", _("Licence number %(licence)s is on row %(row)d "
                                            "already.") % {"licence": licence, "row": first})
            return False
        owner = owners.get(licence)
        if owner is not None and owner != values.get("code"):
            self.error(row, "licence_no", _("This licence number is already on another card."))
            return False
        fields["licence_no"] = licence
        return True

    def _check(self, record, existing, hidden, owners, phone, phone_cards) -> None:
        code, row = record.values.get("code"), record.row
        ok = code is not None
        if code is not None:
            first = self.code_rows.setdefault(code, row)
            if first != row:
                self.error(row, "code", _("Code %(code)s is on row %(row)d already.")
                           % {"code": code, "row": first})
                ok = False
            elif code in hidden:
                # Codes are unique per company, so this one cannot be created; say no more
                # than that (which office holds it is none of the importer's business).
                self.error(row, "code", _(
                    "Retailer code “%(code)s” cannot be used: it is not one of the retailers "
                    "you manage.") % {"code": code})
                ok = False
        fields = self._fields(record, owners)
        if not ok or fields is None:
            return
        current = existing.get(code)
        if current is not None:
            self._plan_update(current, fields)
        else:
            self._plan_new(record, fields, phone, phone_cards)

    def _plan_update(self, current: dict, fields: dict) -> None:
        merged = {key: current[key] for key in CARD_FIELDS} | fields
        if all(merged[key] == current[key] for key in CARD_FIELDS):
            self.unchanged += 1
            return
        keys = current["search_keys"]
        if merged["name"] != current["name"] or not keys:
            keys = search_keys_fast(merged["name"])
        rep, old_rep = merged["assigned_rep_id"], current["assigned_rep_id"]
        self.changed.append({
            **merged, "code": current["code"], "existing_id": current["id"],
            "old_rep_id": old_rep, "rep_changed": rep is not None and rep != old_rep,
            "search_keys": keys, "duplicate_reason": current["duplicate_reason"],
            "person_name": "", "person_phone": "",
        })

    def _plan_new(self, record: Record, fields: dict, phone: str, phone_cards: dict) -> None:
        values, row = record.values, record.row
        plan = NEW_DEFAULTS | fields
        keys = search_keys_fast(plan["name"])
        plan.update({
            "row": row, "code": values["code"], "existing_id": None, "old_rep_id": None,
            "rep_changed": plan["assigned_rep_id"] is not None, "search_keys": keys,
            "duplicate_reason": values.get("duplicate_reason", ""),
            "person_name": values.get("person_name", ""), "person_phone": phone,
            "likely": [],
        })
        if phone:
            first = self.phone_rows.setdefault(phone, row)
            if first != row:
                plan["likely"].append(("phone", first))
            elif phone in phone_cards:
                plan["likely"].append(("phone", phone_cards[phone]))
        if plan["latitude"] is not None:
            point = Point(row, plan["name"], name_key(keys, plan["name"]),
                          float(plan["latitude"]), float(plan["longitude"]))
            plan["likely"].extend(("name_nearby", match.ref) for match in self.grid.matches(point))
            self.grid.add(point)
            self.points.append((plan, point))
        self.new.append(plan)

    def finish(self) -> None:
        if self.writer is not None:
            return  # judged chunk by chunk
        self._nearby(0)
        for plan in self.new:
            self._judge(plan)

    def _nearby(self, start: int) -> None:
        """Existing cards with a similar name within 100 m of the new points from
        `start` on join their plans' likely duplicates."""
        points = self.points[start:]
        found = nearby_existing(self.company, [point for _plan, point in points],
                                tiles=self.tiles if self.writer is not None else None)
        for index, cards in found.items():
            points[index][0]["likely"].extend(("name_nearby", card) for card in cards)

    def _judge(self, plan: dict) -> None:
        likely = plan.pop("likely")
        if not likely:
            plan["duplicate_reason"] = ""
            return
        if plan["duplicate_reason"].strip():
            plan["duplicate_reason"] = plan["duplicate_reason"].strip()
            return
        why, other = likely[0]
        reason = _("same key-person phone") if why == "phone" else \
            _("similar name within 100 m")
        if isinstance(other, int):
            who = _("row %(row)d of this file") % {"row": other}
        else:
            who = f"{other.code} {other.name}"
        self.error(plan["row"], "person_phone" if why == "phone" else "name", _(
            "This looks like %(other)s (%(reason)s). If it is a different shop, say why in "
            "the 重复确认原因 column.") % {"other": who, "reason": reason})

    # Write -----------------------------------------------------------------------------

    def write(self) -> dict:
        if self.writer is not None:  # new cards are written already, uncommitted
            try:
                counts = self.writer.commit(self.changed)
            except IntegrityError as exc:
                raise self._conflict() from exc
            return {"created": len(self.new), "updated": len(self.changed),
                    "unchanged": self.unchanged, **counts}
        now = timezone.now()
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                if sql.is_postgresql():
                    counts = self._write_plans_pg(cursor, self.new, self.changed, now)
                else:
                    stage = _stage_columns()
                    sql.stage_create(cursor, stage)
                    self._stage(cursor, stage, self.new, self.changed)
                    counts = self._write_staged(cursor)
                    sql.stage_drop(cursor)
        except IntegrityError as exc:
            raise self._conflict() from exc
        return {"created": len(self.new), "updated": len(self.changed),
                "unchanged": self.unchanged, **counts}

    @staticmethod
    def _conflict() -> ImportConflict:
        return ImportConflict(_(
            "Some of these retailers were changed by someone else while the file was "
            "being checked. Nothing was imported; upload the file again."))

    def _stage(self, cursor, stage: list, new: list[dict], changed: list[dict]) -> None:
        """The plans into the (empty) staging table."""
        for plan in new:
            plan["id"] = None
        for plan in changed:
            plan["id"] = plan["existing_id"]
        values = itemgetter(*[c.name for c in stage][1:])
        rows = [(index, *values(plan)) for index, plan in enumerate([*new, *changed])]
        sql.stage_load(cursor, stage, rows, analyze=False)

    def _write_plans_pg(self, cursor, new: list[dict], changed: list[dict], now) -> dict:
        """PostgreSQL: new cards copied straight into their tables, changed cards staged
        and updated."""
        counts = {"key_persons": self._copy_new_pg(cursor, new, now) if new else 0}
        if changed:
            stage = _stage_columns()
            sql.stage_create(cursor, stage)
            self._stage(cursor, stage, [], changed)
            self._update_staged_pg(cursor, now)
            sql.stage_drop(cursor)
        return counts

    def _reason(self) -> str:
        return _("Excel import #%(batch)s") % {"batch": self.batch_id or "-"}

    def _layouts(self, now) -> dict[str, sql.CopyLayout]:
        """COPY layouts of a new card's rows: the card, its history row, its assignment
        row, its key person and the person's history row: the rows `retailer_create`
        writes, with the ids reserved up front (so no row waits for another's id)."""
        layouts = getattr(self, "_copy_layouts", None)
        if layouts is not None and layouts[0] == now:
            return layouts[1]
        reason, user = self._reason(), self.actor.pk
        card_keys = {name: name for name in ("id", "code", *CARD_FIELDS, "search_keys",
                                             "duplicate_reason")}
        card_fixed = {"company_id": self.company.pk}
        person_keys = {"id": "person_id", "retailer_id": "id", "name": "person_name",
                       "phone": "person_phone"}
        person_fixed = {"role": KeyPerson.PersonRole.OWNER.value}
        found = {
            "card": sql.copy_layout(Retailer, keys=card_keys, fixed=card_fixed, now=now),
            "card_history": sql.history_layout(
                Retailer.history.model, Retailer, keys=card_keys, fixed=card_fixed, now=now,
                history_type="+", reason=reason, user_id=user),
            "assignment": sql.copy_layout(
                RetailerAssignment, keys={"retailer_id": "id", "to_rep_id": "assigned_rep_id"},
                fixed={"from_rep_id": None, "by_id": user, "reason": _("created")}, now=now),
            "person": sql.copy_layout(KeyPerson, keys=person_keys, fixed=person_fixed,
                                      now=now),
            "person_history": sql.history_layout(
                KeyPerson.history.model, KeyPerson, keys=person_keys, fixed=person_fixed,
                now=now, history_type="+", reason=reason, user_id=user),
        }
        self._copy_layouts = (now, found)
        return found

    def _copy_new_pg(self, cursor, new: list[dict], now) -> int:
        """New cards, their history and assignment rows, key persons and their history
        rows, each COPYed straight into its table; returns the number of key persons."""
        layouts = self._layouts(now)
        for plan, card_id in zip(new, sql.reserve_ids(cursor, Retailer, len(new)),
                                 strict=True):
            plan["id"] = card_id
        sql.copy_rows(cursor, layouts["card"], new)
        sql.copy_rows(cursor, layouts["card_history"], new)
        sql.copy_rows(cursor, layouts["assignment"],
                      (plan for plan in new if plan["assigned_rep_id"] is not None))
        persons = [plan for plan in new if plan["person_name"]]
        if persons:
            for plan, person_id in zip(persons, sql.reserve_ids(cursor, KeyPerson,
                                                                len(persons)), strict=True):
                plan["person_id"] = person_id
            sql.copy_rows(cursor, layouts["person"], persons)
            sql.copy_rows(cursor, layouts["person_history"], persons)
        return len(persons)

    def _update_staged_pg(self, cursor, now) -> None:
        """Changed cards from the staging table, with their history rows and, when their
        rep changes, assignment rows (from the UPDATE's RETURNING rows)."""
        stage = sql.qn(sql.STAGE)
        history = Retailer.history.model
        history_sql = sql.insert_select_sql(
            history, now=now, source="FROM u",
            values=sql.history_values(history, Retailer, "u", now=now, reason=self._reason(),
                                      user_id=self.actor.pk, history_type_sql="'~'"))
        assignment_sql = sql.insert_select_sql(
            RetailerAssignment, now=now, source="FROM u WHERE u.import_rep_changed", values={
                "retailer_id": ("u.id", []), "from_rep_id": ("u.import_old_rep_id", []),
                "to_rep_id": ("u.assigned_rep_id", []), "by_id": ("%s", [self.actor.pk]),
                "reason": ("%s", [_("reassigned by import")])})
        # The staging table is joined to the cards by primary key: statistics help.
        cursor.execute(f"ANALYZE {stage}")
        retailer = sql.qn(Retailer._meta.db_table)
        assignments = ", ".join(
            f"{sql.qn(Retailer._meta.get_field(n.removesuffix('_id')).column)} = "
            f"s.{sql.qn(n)}" for n in (*CARD_FIELDS, "search_keys"))
        update = (f"UPDATE {retailer} AS r SET {assignments}, {sql.qn('updated_at')} = %s "
                  f"FROM {stage} AS s WHERE r.id = s.existing_id "
                  "RETURNING r.*, s.old_rep_id AS import_old_rep_id, "
                  "s.rep_changed AS import_rep_changed",
                  [connection.ops.adapt_datetimefield_value(now)])
        cursor.execute(*sql.with_ctes([("u", update), ("a", assignment_sql)], history_sql))

    def _write_staged(self, cursor) -> dict:
        now = timezone.now()
        retailer, stage = sql.qn(Retailer._meta.db_table), sql.qn(sql.STAGE)
        card = {name: (f"s.{sql.qn(name)}", []) for name in
                ("code", *CARD_FIELDS, "search_keys", "duplicate_reason")}
        if self.new:
            sql.insert_select(cursor, Retailer, now=now, values={
                **card, "company_id": ("%s", [self.company.pk])},
                source=f"FROM {stage} s WHERE s.existing_id IS NULL ORDER BY s.rownum")
        if self.changed:
            assignments = ", ".join(
                f"{sql.qn(Retailer._meta.get_field(n.removesuffix('_id')).column)} = "
                f"s.{sql.qn(n)}" for n in (*CARD_FIELDS, "search_keys"))
            cursor.execute(
                f"UPDATE {retailer} AS r SET {assignments}, {sql.qn('updated_at')} = %s "
                f"FROM {stage} AS s WHERE r.id = s.existing_id",
                [connection.ops.adapt_datetimefield_value(now)])
        joined = f"FROM {retailer} r JOIN {stage} s ON r.company_id = %s AND r.code = s.code"
        reason = self._reason()
        sql.insert_select(
            cursor, Retailer.history.model, now=now, source=joined,
            source_params=[self.company.pk],
            values=sql.history_values(
                Retailer.history.model, Retailer, "r", now=now, reason=reason,
                user_id=self.actor.pk,
                history_type_sql="CASE WHEN s.existing_id IS NULL THEN '+' ELSE '~' END"))
        if any(plan["rep_changed"] for plan in (*self.new, *self.changed)):
            self._write_assignments(cursor, joined, now)
        if not any(plan["person_name"] for plan in self.new):
            return {"key_persons": 0}
        return {"key_persons": self._write_key_persons(cursor, joined, reason, now)}

    def _write_assignments(self, cursor, joined: str, now) -> None:
        sql.insert_select(
            cursor, RetailerAssignment, now=now, source=f"{joined} WHERE s.rep_changed",
            source_params=[self.company.pk], values={
                "retailer_id": ("r.id", []), "from_rep_id": ("s.old_rep_id", []),
                "to_rep_id": ("s.assigned_rep_id", []), "by_id": ("%s", [self.actor.pk]),
                "reason": ("CASE WHEN s.existing_id IS NULL THEN %s ELSE %s END",
                           [_("created"), _("reassigned by import")])})

    def _write_key_persons(self, cursor, joined: str, reason: str, now) -> int:
        retailer, stage = sql.qn(Retailer._meta.db_table), sql.qn(sql.STAGE)
        with_person = f"{joined} WHERE s.existing_id IS NULL AND s.person_name <> ''"
        persons = sql.insert_select(
            cursor, KeyPerson, now=now, source=with_person, source_params=[self.company.pk],
            values={"retailer_id": ("r.id", []),
                    "role": ("%s", [KeyPerson.PersonRole.OWNER.value]),
                    "name": ("s.person_name", []), "phone": ("s.person_phone", [])})
        if persons:
            person_table = sql.qn(KeyPerson._meta.db_table)
            sql.insert_select(
                cursor, KeyPerson.history.model, now=now,
                source=f"FROM {person_table} k JOIN {retailer} r ON k.retailer_id = r.id "
                       f"JOIN {stage} s ON r.company_id = %s AND r.code = s.code "
                       "WHERE s.existing_id IS NULL AND s.person_name <> ''",
                source_params=[self.company.pk],
                values=sql.history_values(KeyPerson.history.model, KeyPerson, "k", now=now,
                                          reason=reason, user_id=self.actor.pk,
                                          history_type_sql="'+'"))
        return persons
