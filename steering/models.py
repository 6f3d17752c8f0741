"""Campaigns, activities and partner targets."""
