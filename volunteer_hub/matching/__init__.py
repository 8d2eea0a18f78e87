"""Matching: coordinators find volunteers, and volunteers hear of roles that fit them.

Search of the volunteers a coordinator may reach, consent to be found, saved searches, the
weekly matching digest, "Recommended for you" and invitations to apply.

The rules are written below as each part is built.
"""
