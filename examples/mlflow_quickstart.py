"""The README's Python quickstart: the stock MLflow client (pip install mlflow==2.17.2) against Slipway.

Start `npx slipway server`, then: MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python examples/mlflow_quickstart.py
"""
import mlflow

mlflow.set_experiment("fraud")
with mlflow.start_run(run_name="baseline") as run:
    mlflow.log_params({"lr": 0.01, "depth": 6})
    for step in range(10):
        mlflow.log_metric("acc", 0.8 + step * 0.01, step=step)
    mlflow.set_tag("team", "risk")
    mlflow.log_dict({"threshold": 0.5}, "config/threshold.json")
    mlflow.log_artifact("test/fixtures/models/logreg.onnx", artifact_path="model")

runs = mlflow.search_runs(filter_string="metrics.acc > 0.85 and params.lr = '0.01'")
print(runs[["run_id", "metrics.acc"]])
mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", "fraud")
client = mlflow.MlflowClient()
client.set_registered_model_alias("fraud", "champion", mv.version)
print(client.get_model_version_by_alias("fraud", "champion").version)
print(mlflow.artifacts.download_artifacts("models:/fraud@champion", dst_path="./champion"))
