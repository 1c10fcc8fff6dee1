"""Retro-planning: pure functions from a template, dates and a calendar to a plan."""
