"""Messaging: coordinators and volunteers talk through the product.

One-to-one threads (a coordinator or an organisation's team inbox with a volunteer), bulk
messages to segments, preferences, one-click unsubscribe and time-bank contact.

The rules are written below as each part is built.
"""
