"""Driving the rotation grid in a browser: each cell is a button named after its trainee and
block; choosing it opens the one editor."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page


def grid_cell(page: Page, trainee: str, block: int) -> Locator:
    return page.get_by_role("button", name=re.compile(rf"^{re.escape(trainee)}, block {block}:"))


def grid_cell_set(page: Page, trainee: str, block: int, rotation: str) -> None:
    """Choose the cell, pick the rotation in the editor's list, save."""
    grid_cell(page, trainee, block).click()
    page.locator("#ce-select").select_option(label=rotation)
    page.locator("#cell-editor").get_by_role("button", name="Save").click()
