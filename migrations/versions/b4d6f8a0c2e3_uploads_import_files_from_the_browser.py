"""uploads: import files from the browser

Revision ID: b4d6f8a0c2e3
Revises: 3e356afcc509
Create Date: 2026-11-30 14:04:40.087125

"""

from alembic import op
import sqlalchemy as sa
import volunteer_hub.core.models


# revision identifiers, used by Alembic.
revision = "b4d6f8a0c2e3"
down_revision = "3e356afcc509"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "uploads_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("timebank_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "created_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "started_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "finished_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.CheckConstraint(
            "kind IN ('hours', 'expenses', 'timebank')", name=op.f("ck_uploads_upload_kind_valid")
        ),
        sa.CheckConstraint(
            "status IN ('uploaded', 'checking', 'importing', 'done', 'failed')",
            name=op.f("ck_uploads_upload_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations_organisation.id"],
            name=op.f("fk_uploads_upload_organisation_id_organisations_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["timebank_id"],
            ["timebank_timebank.id"],
            name=op.f("fk_uploads_upload_timebank_id_timebank_timebank"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["accounts_user.id"],
            name=op.f("fk_uploads_upload_uploaded_by_id_accounts_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads_upload")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_uploads_upload_stored_name")),
    )
    with op.batch_alter_table("uploads_upload", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_uploads_upload_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_uploads_upload_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_uploads_upload_timebank_id"), ["timebank_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_uploads_upload_uploaded_by_id"), ["uploaded_by_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("uploads_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_uploads_upload_uploaded_by_id"))
        batch_op.drop_index(batch_op.f("ix_uploads_upload_timebank_id"))
        batch_op.drop_index(batch_op.f("ix_uploads_upload_status"))
        batch_op.drop_index(batch_op.f("ix_uploads_upload_organisation_id"))

    op.drop_table("uploads_upload")
